"""The services' messages, marked for translation so Urdu readers see them in Urdu.

Services raise domain errors with English text (the API's `detail`); the pages look each text up
in the catalogue at display time. The list below only exists so `pybabel extract` finds them
(keyword `N_`); a message missing here simply shows in English.
"""

from __future__ import annotations

from flask_babel import gettext


def N_(message: str) -> str:  # noqa: N802 - the conventional name of a no-op marker
    """Mark a message for extraction without translating it now."""
    return message


SERVICE_MESSAGES = (
    N_("Enter your password to make new recovery codes."),
    N_("That code or password is not right; the authenticator app you have stays in use."),
    N_("A second factor is already set up: enter a current code from it, or your password, "
       "to replace it."),
    N_("That handle and password do not match."),
    N_("That handle and recovery code do not match."),
    N_("That handle (or one that looks just like it) is taken."),
    N_("This handle is reserved. Please choose another."),
    N_("The handle must have at least 3 characters."),
    N_("The handle must have at most 32 characters."),
    N_("The handle cannot contain spaces; use _ instead."),
    N_("The handle needs at least one letter or digit."),
    N_("Use at least 10 characters; a short phrase is easy to remember."),
    N_("The password must not contain your handle."),
    N_("Enter the 6-digit code from your authenticator app."),
    N_("That code is not right. Try the current one."),
    N_("Write something first."),
    N_("At most 200 characters."),
    N_("This account is banned."),
    N_("This account is suspended for now."),
    N_("You are muted for now: you can read but not post."),
    N_("You cannot start threads on this board."),
    N_("You cannot post on this board."),
    N_("This thread is not open for replies yet."),
    N_("This thread is locked."),
    N_("You cannot reply to this post."),
    N_("You cannot reply in this thread."),
    N_("You can react to published posts only."),
    N_("You cannot react to this post."),
    N_("No such board."),
    N_("No such thread."),
    N_("No such post."),
    N_("Sign in to read this board."),
    N_("Please sign in first."),
    N_("Your account cannot do this."),
    N_("You have already reported this."),
    N_("There is nothing to report here."),
    N_("You cannot report yourself or your own words."),
    N_("Choose one of the listed reasons."),
    N_("That password is not right."),
    N_("Enter your current password."),
    # Shield mode (issue #17).
    N_("No member you can invite has this name."),
    N_("At most 3 helpers."),
    N_("You cannot be your own helper."),
    N_("7, 14 or 28."),
    N_("A non-empty list of: new_accounts, strangers."),
    N_("No such held item."),
    N_("No such invitation."),
)


def translate(message: str) -> str:
    """The message in the page's language when the catalogue has it, else as it is."""
    if not message:
        return message
    return gettext(message)
