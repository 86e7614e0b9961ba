"""The signing password: from the environment or the terminal, never from a file, never printed."""
from __future__ import annotations

import getpass
import os
import sys

PASSWORD_ENV = "MANUAL_SIGN_PASSWORD"


def signing_password(env=os.environ) -> bytes | None:
    """``MANUAL_SIGN_PASSWORD``, else asked at the terminal (not echoed); None when there is neither."""
    value = env.get(PASSWORD_ENV)
    if value is not None:
        return value.encode("utf-8")
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("PKCS#12 password / 密码: ").encode("utf-8")
    return None
