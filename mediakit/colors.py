"""Colours as creators write them: "#RRGGBB". One pattern for the storyboard, the captions and the forms."""

import re

# Groups: red, green, blue (two hex digits each).
HEX_COLOR = re.compile(r"#([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})([0-9A-Fa-f]{2})")
