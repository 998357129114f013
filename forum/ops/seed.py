"""Seed data for a real first start: boards that fit the women Saheli serves, a welcoming
thread on each open board in English and in Urdu, and a room on the calendar, so a newcomer
finds something to read and answer (issue #19). `--demo` adds staff and member accounts with
printed passwords and an open room, for trying the forum out; never by default.

The default boards' names and descriptions are marked with `N_` so `pybabel extract` puts them
in the catalogue: the pages show them in Urdu on Urdu pages (`forum.web.text.board_text`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.identity import handles, passwords
from forum.models.board import Board, Thread
from forum.models.defaults import BOARDS
from forum.models.room import Room
from forum.models.user import Role, User
from forum.policy import Actor
from forum.screening import PassThroughScreener
from forum.services import posting, rooms

#: The account the welcoming threads and the seeded room belong to. Its handle is reserved
#: (nobody can register anything like it) and its password is random and never stored, so no
#: one can sign in as it.
TEAM_HANDLE = "saheli_team"

#: (board, title, body): in English and in Urdu, each its own thread.
WELCOME_THREADS = [
    ("introductions", "Welcome — say salaam here",
     "Salaam, and welcome to Saheli. This is a place to talk with other women about what "
     "happens to us online, and about how we are doing.\n\n"
     "- Use any name you like; nobody needs your real one.\n"
     "- Tick **Post anonymously** and only moderators can see it was you.\n"
     "- **Quick exit** (top corner, or Esc twice) leaves at once.\n\n"
     "Reply below and tell us as much or as little as you like."),
    ("introductions", "خوش آمدید — یہاں سلام کہیے",
     "السلام علیکم، سہیلی میں خوش آمدید۔ یہ جگہ دوسری خواتین سے بات کرنے کے لیے ہے: آن لائن "
     "ہمارے ساتھ کیا ہوتا ہے اور ہم کیسا محسوس کرتی ہیں۔\n\n"
     "- کوئی بھی نام رکھیں؛ اصل نام کی ضرورت نہیں۔\n"
     "- **گمنام** کا خانہ چنیں تو صرف ماڈریٹر جان سکتی ہیں کہ یہ آپ ہیں۔\n"
     "- **فوراً نکلیں** کا بٹن (یا دو بار Esc) اسی وقت یہ صفحہ بند کر دیتا ہے۔\n\n"
     "نیچے جواب دیں، جتنا چاہیں اتنا بتائیں۔"),
    ("staying-safe", "Three settings worth checking this week",
     "1. Two-step verification on your e-mail and WhatsApp.\n"
     "2. Who can see your profile picture and your friends list.\n"
     "3. Which devices are signed in to your accounts (sign out the ones you do not know).\n\n"
     "Which one helped you most? Ask here if a setting is hard to find."),
    ("staying-safe", "اس ہفتے یہ تین سیٹنگز دیکھ لیں",
     "1۔ ای میل اور واٹس ایپ پر دو مرحلوں والی تصدیق۔\n"
     "2۔ آپ کی پروفائل تصویر اور دوستوں کی فہرست کون دیکھ سکتا ہے۔\n"
     "3۔ آپ کے اکاؤنٹس میں کون سے آلات سائن اِن ہیں (جنہیں آپ نہیں جانتیں انہیں سائن آؤٹ کریں)۔\n\n"
     "کوئی سیٹنگ نہ ملے تو یہاں پوچھ لیں۔"),
]

SEED_ROOM = ("Evening circle · شام کی محفل",
             "A weekly talk with a counsellor, in Urdu and English. Come and listen, or share. "
             "ہفتہ وار بات چیت، ایک کونسلر کے ساتھ، اردو اور انگریزی میں۔")

DEMO_ACCOUNTS = (("demo_admin", Role.ADMIN), ("demo_moderator", Role.MODERATOR),
                 ("demo_counsellor", Role.COUNSELLOR), ("demo_member", Role.MEMBER))


@dataclass
class Seeded:
    """What a seed run added."""

    boards: int = 0
    threads: int = 0
    rooms: int = 0
    #: (handle, role, password) of demo accounts made by this run, to print once.
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def seed_database(session: Session) -> int:
    """Add any missing default board; returns how many were added (safe to run twice)."""
    existing = set(session.scalars(select(Board.slug)))
    added = 0
    for position, (slug, name, description, visibility) in enumerate(BOARDS, start=1):
        if slug in existing:
            continue
        session.add(
            Board(
                slug=slug, name=name, description=description,
                visibility=visibility, position=position,
            )
        )
        added += 1
    session.flush()
    return added


def _account(session: Session, handle: str, role: Role, password: str) -> tuple[User, bool]:
    """The account with this handle, made if missing (the seed is trusted: reserved handles
    such as the team's are allowed here); True when it was made now."""
    key = handles.handle_key(handle)
    found = session.scalar(select(User).where(User.handle_key == key))
    if found is not None:
        return found, False
    user = User(handle=handle, handle_key=key, password_hash=passwords.hash_password(password),
                role=role.value)
    session.add(user)
    session.flush()
    return user, True


def seed_welcome(session: Session) -> Seeded:
    """The boards, then (on a forum without threads or rooms yet) the welcoming threads and
    the evening circle, by the team account. Safe to run twice: nothing is added again."""
    done = Seeded(boards=seed_database(session))
    team, _made = _account(session, TEAM_HANDLE, Role.COUNSELLOR, secrets.token_urlsafe(32))
    actor = Actor.of(team, require_totp=False)
    if session.scalar(select(Thread.id).limit(1)) is None:
        boards = {b.slug: b for b in session.scalars(select(Board))}
        for slug, title, body in WELCOME_THREADS:
            if slug in boards:
                posting.create_thread(session, actor, PassThroughScreener(), boards[slug],
                                      title=title, body=body)
                done.threads += 1
    if session.scalar(select(Room.id).limit(1)) is None:
        rooms.create_room(session, actor, title=SEED_ROOM[0], description=SEED_ROOM[1])
        done.rooms += 1
    return done


def seed_demo(session: Session) -> Seeded:
    """Demo accounts (admin, moderator, counsellor, member) with fresh passwords, and an open
    room hosted by the demo counsellor. For trying Saheli out, never for a real forum."""
    done = Seeded()
    for handle, role in DEMO_ACCOUNTS:
        password = "-".join(secrets.token_hex(3) for _ in range(4))
        _user, made = _account(session, handle, role, password)
        if made:
            done.accounts.append((handle, role.value, password))
    host = session.scalar(select(User).where(User.handle_key == handles.handle_key(
        "demo_counsellor")))
    assert host is not None
    if session.scalar(select(Room.id).where(Room.host_id == host.id).limit(1)) is None:
        actor = Actor.of(host, require_totp=False)
        room = rooms.create_room(session, actor, title="Drop-in room · بیٹھک",
                                 description="Open now: say hello. ابھی کھلا ہے: سلام کہیے۔")
        rooms.open_room(session, actor, room)
        done.rooms += 1
    return done
