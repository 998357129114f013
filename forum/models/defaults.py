"""The default boards a new forum starts with (`forum init-db --seed`): their slugs, names,
descriptions and visibility. The names and descriptions are marked for the catalogue, so Urdu
pages show them translated (`forum.web.text`) although they are stored in English."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional name of a no-op marker
    """Mark a text for the catalogue without translating it now."""
    return message


BOARDS = [
    (
        "introductions",
        N_("Introductions"),
        N_("Say salaam and tell us as much or as little as you like. A pseudonym is enough "
           "here; nobody needs your real name."),
        "public",
    ),
    (
        "online-harassment",
        N_("Dealing with online harassment"),
        N_("Messages, fake profiles, threats, photos shared without consent. Share what is "
           "happening, what helped, and how to report it — you are not alone and it is not "
           "your fault."),
        "members",
    ),
    (
        "wellbeing",
        N_("Mental health and wellbeing"),
        N_("Anxiety, sleeplessness, feeling watched or worn down. A gentle place to talk and "
           "to listen. If you are in danger right now, the help lines page has numbers to call."),
        "members",
    ),
    (
        "staying-safe",
        N_("Staying safe online"),
        N_("Passwords, two-step verification, locking down social media, spotting a hacked "
           "account, keeping evidence. Practical help, in plain words."),
        "public",
    ),
    (
        "family-and-community",
        N_("Family, work and community"),
        N_("When harassment reaches home, the office or the mohalla: talking to family, "
           "getting support at work, finding allies."),
        "members",
    ),
    (
        "counsellors",
        N_("Counsellors' room"),
        N_("For counsellors and staff only: hand-overs, hard cases, looking after ourselves."),
        "counsellors",
    ),
]


def seeded_texts() -> frozenset[str]:
    """The default boards' names and descriptions (translated on Urdu pages)."""
    return _SEEDED_TEXTS


_SEEDED_TEXTS = frozenset(text for _slug, name, about, _v in BOARDS for text in (name, about))
