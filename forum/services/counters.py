"""`forum repair-counters`: recompute every stored counter from the rows it counts and say
what was wrong (issue #15).

Counters are kept on write in SQL (`n = n + 1`, `forum.models.board.change_post_status`), so
they should never drift; this is the check, and the cure if an operator's SQL, a restore or a
bug ever leaves one off. Each counter is one rule:

- `boards.thread_count` — the board's threads whose status is `published`;
- `threads.post_count` — the thread's posts whose status is `published`;
- `posts.support_count` — the `support` reactions on the post.

Every fix is one `UPDATE ... SET n = (SELECT count(*) ...)`, so a write racing the repair
is counted by whichever runs second; run it again to see nothing left.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from forum.models.board import Board, Post, PostStatus, Reaction, Thread


@dataclass(frozen=True, slots=True)
class Fixed:
    """One counter that was wrong: where, what it said, what it says now."""

    table: str
    row_id: int
    column: str
    was: int
    now: int

    def __str__(self) -> str:
        return f"{self.table} {self.row_id}: {self.column} was {self.was}, now {self.now}"


def _rules() -> list[tuple[Any, Any, Any]]:
    """(model, counter column, the true count as a correlated subquery)."""
    published = PostStatus.PUBLISHED.value
    threads = (select(func.count()).select_from(Thread)
               .where(Thread.board_id == Board.id, Thread.status == published)
               .correlate(Board).scalar_subquery())
    posts = (select(func.count()).select_from(Post)
             .where(Post.thread_id == Thread.id, Post.status == published)
             .correlate(Thread).scalar_subquery())
    supports = (select(func.count()).select_from(Reaction)
                .where(Reaction.post_id == Post.id, Reaction.kind == "support")
                .correlate(Post).scalar_subquery())
    return [(Board, Board.thread_count, threads), (Thread, Thread.post_count, posts),
            (Post, Post.support_count, supports)]


def repair_counters(session: Session) -> list[Fixed]:
    """Set every counter to its true count; the ones that were wrong, in table order."""
    fixed: list[Fixed] = []
    for model, column, truth in _rules():
        wrong = session.execute(
            select(model.id, column, truth).where(column != truth).order_by(model.id)
        ).all()
        for row_id, was, now in wrong:
            session.execute(
                update(model).where(model.id == row_id).values({column.key: truth})
                .execution_options(synchronize_session=False)
            )
            fixed.append(Fixed(model.__tablename__, int(row_id), column.key, int(was), int(now)))
    return fixed
