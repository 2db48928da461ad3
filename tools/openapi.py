"""Generate the API's OpenAPI document from the handlers (one document for all functions).

python tools/openapi.py --write    # update layers/common/seteli/api/openapi.json
python tools/openapi.py --check    # exit 1 if the committed document is stale (CI)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "common"))
sys.path.insert(0, str(ROOT / "site"))
TARGET = ROOT / "layers" / "common" / "seteli" / "api" / "openapi.json"

DESCRIPTION = (
    "Seteli: service vouchers (palveluseteli) and purchased services (ostopalvelu) of one municipality. "
    "JSON, snake_case; dates YYYY-MM-DD; money as decimal strings with two decimals. "
    "Errors are RFC 9457 problem JSON. Sign in with a Cognito ID token as a Bearer token."
)


def load_app(function_dir: Path):
    spec = importlib.util.spec_from_file_location(f"seteli_fn_{function_dir.name}", function_dir / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    if str(function_dir) not in sys.path:
        sys.path.append(str(function_dir))  # as in Lambda: the handler's sibling modules import
    spec.loader.exec_module(module)
    return getattr(module, "app", None)


def generate() -> dict:
    os.environ.setdefault("TENANT_ID", "openapi")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
    from seteli import __version__
    from seteli.api.openapi import merge

    docs = []
    for fn in sorted((ROOT / "functions").iterdir()):
        if not (fn / "app.py").exists():
            continue
        app = load_app(fn)
        if app is None or not hasattr(app, "get_openapi_schema"):
            continue
        docs.append(json.loads(app.get_openapi_json_schema()))
    return merge(docs, title="Seteli API", version=__version__, description=DESCRIPTION)


def render(doc: dict) -> str:
    return json.dumps(doc, indent=1, sort_keys=False, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    text = render(generate())
    if args.write:
        TARGET.write_text(text, encoding="utf-8")
        print(f"wrote {TARGET.relative_to(ROOT)}")
    elif args.check:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print("the OpenAPI document is stale: run `make openapi`", file=sys.stderr)
            return 1
        print("the OpenAPI document is up to date")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
