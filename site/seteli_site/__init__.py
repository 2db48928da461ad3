"""The public comparison site's renderer (docs/site.md): pure, data in, files out.

from seteli_site import SiteInput, Changes, render_site
files = render_site(SiteInput(tenant=..., entries={...}, generated_at=..., today=...), only=None)
"""

from .model import Changes, SiteInput
from .render import render_site

__all__ = ["Changes", "SiteInput", "render_site"]
