"""Moderation's use cases: reports, the review queue, sanctions, blocks, rules and the audit log.

Each function takes the session and the acting `Actor`, checks what the actor may do, flushes
and never commits: the request (or socket event) that called it commits once at the end.
Every moderator and admin action writes one audit entry through `record_action`.
"""
