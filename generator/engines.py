"""Facts about the rendering engines on this machine, checked at start-up."""
from __future__ import annotations

import ctypes.util
import os


def harfbuzz_subset_available() -> bool:
    """WeasyPrint subsets fonts fast only with HarfBuzz's subsetting library."""
    if ctypes.util.find_library("harfbuzz-subset"):
        return True
    for folder in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib"):
        if os.path.exists(os.path.join(folder, "libharfbuzz-subset.so.0")):
            return True
    return False


HARFBUZZ_WARNING = (
    "warning: libharfbuzz-subset0 is not installed; WeasyPrint will subset the CJK font "
    "about 40 times slower. Install it: apt-get install libharfbuzz-subset0"
)
