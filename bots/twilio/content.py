"""Optional WhatsApp content templates from ``twilio-content.yaml`` in the data folder.

    quick_reply:       # twilio/quick-reply templates, by number of buttons (WhatsApp allows 3)
      1: HX...         # body {{1}}; button n has title {{2n}} and id {{2n+1}}
      2: HX...
      3: HX...
    reengage: HX...    # an approved template, the one thing WhatsApp allows after 24 hours
    reminder: HX...    # an approved template for personal reminders; {{1}} is the reminder

Without the file, WhatsApp gets numbered options, and nothing is sent outside the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

FILE_NAME = "twilio-content.yaml"


class ContentError(ValueError):
    """The content file is not what the server expects; it refuses to start with the reason."""


@dataclass(frozen=True, slots=True)
class ContentTemplates:
    quick_reply: dict[int, str] = field(default_factory=dict)
    reengage: str | None = None
    reminder: str | None = None

    @classmethod
    def load(cls, data_dir: Path) -> ContentTemplates:
        path = data_dir / FILE_NAME
        if not path.exists():
            return cls()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise ContentError(f"{path}: not YAML: {error}") from None
        if not isinstance(data, dict):
            raise ContentError(f"{path}: expected a mapping")
        quick = data.get("quick_reply") or {}
        if not isinstance(quick, dict) or not all(
            str(k) in ("1", "2", "3") and isinstance(v, str) and v.startswith("HX")
            for k, v in quick.items()
        ):
            raise ContentError(f"{path}: quick_reply maps 1, 2 or 3 to a ContentSid (HX...)")
        single = {}
        for name in ("reengage", "reminder"):
            value = data.get(name)
            if value is not None and not (isinstance(value, str) and value.startswith("HX")):
                raise ContentError(f"{path}: {name} must be a ContentSid (HX...)")
            single[name] = value
        return cls({int(k): v for k, v in quick.items()}, single["reengage"], single["reminder"])


__all__ = ["FILE_NAME", "ContentError", "ContentTemplates"]
