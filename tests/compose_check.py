"""Sanity check of docker-compose.yml and the Dockerfile, for machines without Docker.

    python tests/compose_check.py docker-compose.yml

Reads the compose file (the YAML subset compose files use: block mappings and sequences,
flow lists, quoted and plain scalars, comments, ``&anchor``/``*alias`` and ``<<`` merges)
and checks what a deployment relies on: the services, how each is built and started,
volumes, the environment variables the settings read, health checks and start order.
Prints one line per problem and exits 1 when there is any.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUIRED_SERVICES = ("postgres", "redis", "web", "worker", "beat")
APP_SERVICES = ("web", "worker", "beat")
# Set by the compose file itself; every other setting comes from the .env file (env_file).
REQUIRED_ENV = ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG")
# The worker finishes its jobs on `docker compose stop`: at least a weekly report's build.
WORKER_GRACE_SECONDS = 150
DEPENDS_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


class YamlError(ValueError):
    pass


# A small reader for the YAML of compose files ------------------------------------------


def _strip_comment(line: str) -> str:
    quote = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[:index].rstrip()
    return line.rstrip()


def _split_key(text: str) -> tuple[str, str] | None:
    """Split ``key: value`` at the first colon outside quotes and brackets."""
    quote, depth = None, 0
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = None
            continue
        if char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == ":" and depth == 0 and (index + 1 == len(text) or text[index + 1] == " "):
            return text[:index].strip(), text[index + 1 :].strip()
    return None


def _split_flow(body: str) -> list[str]:
    items, current, quote = [], "", None
    for char in body:
        if quote:
            current += char
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
            current += char
        elif char == ",":
            items.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        items.append(current.strip())
    return items


def _scalar(text: str) -> Any:
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(item) for item in _split_flow(text[1:-1])]
    if text == "{}":
        return {}
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return json.loads(text)
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    if text in ("", "~", "null"):
        return None
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text.startswith(("&", "*", "{", "|", ">")):
        raise YamlError(f"unsupported YAML: {text!r}")
    return text


class _Reader:
    def __init__(self, text: str):
        self.lines: list[tuple[int, str, int]] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            if "\t" in raw[: len(raw) - len(raw.lstrip())]:
                raise YamlError(f"line {number}: tab in indentation")
            line = _strip_comment(raw)
            if line.strip():
                self.lines.append((len(line) - len(line.lstrip()), line.strip(), number))
        self.anchors: dict[str, Any] = {}
        self.pos = 0

    def parse(self) -> Any:
        if not self.lines:
            return {}
        node = self._block(self.lines[0][0])
        if self.pos != len(self.lines):
            raise YamlError(f"line {self.lines[self.pos][2]}: unexpected indentation")
        return node

    def _block(self, indent: int) -> Any:
        _, text, _ = self.lines[self.pos]
        if text == "-" or text.startswith("- "):
            return self._sequence(indent)
        return self._mapping(indent)

    def _value(self, rest: str, indent: int, number: int) -> Any:
        anchor = None
        if rest.startswith("&"):
            anchor, _, rest = rest.partition(" ")
            anchor, rest = anchor[1:], rest.strip()
        if rest.startswith("*"):
            name = rest[1:]
            if name not in self.anchors:
                raise YamlError(f"line {number}: unknown alias *{name}")
            value = self.anchors[name]
        elif rest:
            value = _scalar(rest)
        elif self.pos < len(self.lines) and self.lines[self.pos][0] > indent:
            value = self._block(self.lines[self.pos][0])
        else:
            value = None
        if anchor:
            self.anchors[anchor] = value
        return value

    def _mapping(self, indent: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        while self.pos < len(self.lines):
            line_indent, text, number = self.lines[self.pos]
            if line_indent < indent:
                break
            if line_indent > indent or text.startswith("- "):
                raise YamlError(f"line {number}: unexpected indentation")
            pair = _split_key(text)
            if pair is None:
                raise YamlError(f"line {number}: expected 'key: value', got {text!r}")
            key, rest = pair
            key = _scalar(key) if key[:1] in "\"'" else key
            self.pos += 1
            value = self._value(rest, indent, number)
            if key == "<<":
                if not isinstance(value, dict):
                    raise YamlError(f"line {number}: '<<' needs a mapping alias")
                merged.update(value)
            elif key in result:
                raise YamlError(f"line {number}: duplicate key {key!r}")
            else:
                result[key] = value
        return {**merged, **result}

    def _sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while self.pos < len(self.lines):
            line_indent, text, number = self.lines[self.pos]
            if line_indent < indent:
                break
            if line_indent > indent or not (text == "-" or text.startswith("- ")):
                raise YamlError(f"line {number}: unexpected indentation")
            rest = text[1:].strip()
            pair = _split_key(rest) if rest[:1] not in "\"'[" else None
            if pair is not None:
                # "- key: value": a mapping whose keys sit two columns further in.
                self.lines[self.pos] = (indent + 2, rest, number)
                items.append(self._mapping(indent + 2))
            else:
                self.pos += 1
                items.append(self._value(rest, indent, number))
        return items


def load_yaml(text: str) -> Any:
    return _Reader(text).parse()


# The checks ----------------------------------------------------------------------------


def _command(service: dict[str, Any]) -> str:
    command = service.get("command")
    if isinstance(command, list):
        return " ".join(str(part) for part in command)
    return str(command or "")


def _settings_env_names() -> set[str]:
    text = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r"env_\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", text))


def check_compose(data: Any, *, base: Path) -> list[str]:
    problems: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        return ["no 'services' mapping"]
    services: dict[str, Any] = data["services"]
    declared_volumes = set((data.get("volumes") or {}).keys())
    for name in REQUIRED_SERVICES:
        if name not in services:
            problems.append(f"service '{name}' is missing")
    for name, service in services.items():
        if not isinstance(service, dict):
            problems.append(f"{name}: not a mapping")
            continue
        if "image" not in service and "build" not in service:
            problems.append(f"{name}: needs an image or a build")
        build = service.get("build")
        if build is not None:
            context = build if isinstance(build, str) else (build or {}).get("context", ".")
            dockerfile = (
                "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            )
            if not (base / context / dockerfile).is_file():
                problems.append(f"{name}: build context has no {dockerfile}")
        for mount in service.get("volumes") or []:
            source = str(mount).split(":", 1)[0]
            if ":" not in str(mount):
                problems.append(f"{name}: volume '{mount}' has no target")
            elif not source.startswith((".", "/", "$")) and source not in declared_volumes:
                problems.append(f"{name}: volume '{source}' is not declared under 'volumes'")
        depends = service.get("depends_on") or {}
        targets = depends if isinstance(depends, list) else list(depends)
        for target in targets:
            if target not in services:
                problems.append(f"{name}: depends on unknown service '{target}'")
            elif target == name:
                problems.append(f"{name}: depends on itself")
        if isinstance(depends, dict):
            for target, rule in depends.items():
                condition = (rule or {}).get("condition", "service_started")
                if condition not in DEPENDS_CONDITIONS:
                    problems.append(f"{name}: unknown depends_on condition '{condition}'")
                elif condition == "service_healthy" and not (services.get(target) or {}).get(
                    "healthcheck"
                ):
                    problems.append(
                        f"{name}: waits for '{target}' to be healthy; it has no healthcheck"
                    )
        healthcheck = service.get("healthcheck")
        if name in REQUIRED_SERVICES and not healthcheck:
            problems.append(f"{name}: no healthcheck")
        elif healthcheck and not healthcheck.get("disable"):
            test = healthcheck.get("test")
            if not isinstance(test, list) or not test or test[0] not in ("CMD", "CMD-SHELL"):
                problems.append(f"{name}: healthcheck test must be a CMD or CMD-SHELL list")

    # How each piece is started.
    expectations = {
        "web": ("gunicorn", "config.wsgi"),
        "worker": ("celery -A config worker",),
        "beat": ("celery -A config beat",),
    }
    for name, needles in expectations.items():
        if name in services:
            command = _command(services[name])
            for needle in needles:
                if needle not in command:
                    problems.append(f"{name}: command should contain '{needle}' (is '{command}')")
    if "postgres" in services and "postgres" not in str(services["postgres"].get("image", "")):
        problems.append("postgres: image should be an official postgres image")
    if "redis" in services and "redis" not in str(services["redis"].get("image", "")):
        problems.append("redis: image should be an official redis image")
    beat_like = [n for n, s in services.items() if "celery -A config beat" in _command(s)]
    if len(beat_like) > 1:
        problems.append(f"more than one beat: {', '.join(beat_like)}")
    beat = services.get("beat") or {}
    replicas = ((beat.get("deploy") or {}).get("replicas")) if isinstance(beat, dict) else None
    if replicas not in (None, 1):
        problems.append("beat: must run exactly one replica")

    # Volumes for the database and the uploaded files.
    pg_mounts = [str(m) for m in (services.get("postgres") or {}).get("volumes") or []]
    if not any(m.endswith(":/var/lib/postgresql/data") for m in pg_mounts):
        problems.append("postgres: no volume at /var/lib/postgresql/data")

    # Environment of the app services.
    known = _settings_env_names()
    readme_defaults = _readme_defaults()
    for name in APP_SERVICES:
        service = services.get(name)
        if not isinstance(service, dict):
            continue
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(str(item).split("=", 1) if "=" in str(item) else (item, "") for item in env)
        env_files = service.get("env_file") or []
        env_files = [env_files] if isinstance(env_files, str | dict) else env_files
        paths = [f if isinstance(f, str) else str(f.get("path", "")) for f in env_files]
        if ".env" not in [p.removeprefix("./") for p in paths]:
            problems.append(
                f"{name}: no env_file .env: the settings of README's table set there "
                "would never reach the container"
            )
        for variable in REQUIRED_ENV:
            if variable not in env:
                problems.append(f"{name}: environment variable {variable} is missing")
        for variable, value in env.items():
            default = re.fullmatch(r"\$\{(\w+):-(.*)\}", str(value))
            if default and variable in readme_defaults:
                if default.group(2) != readme_defaults[variable]:
                    problems.append(
                        f"{name}: {variable} defaults to '{default.group(2)}', README says "
                        f"'{readme_defaults[variable]}'"
                    )
        for variable in env:
            if known and variable not in known:
                problems.append(f"{name}: {variable} is not read by config/settings.py")
        database = str(env.get("DATABASE_URL", ""))
        if database and "@postgres" not in database:
            problems.append(f"{name}: DATABASE_URL should point at the postgres service")
        broker = str(env.get("CELERY_BROKER_URL", ""))
        if broker and not broker.startswith("redis://redis"):
            problems.append(f"{name}: CELERY_BROKER_URL should point at the redis service")
        if str(env.get("DEBUG", "")).lower() not in ("0", "false", "no", "off"):
            problems.append(f"{name}: DEBUG must be off")
        media_root = str(env.get("MEDIA_ROOT", ""))
        if name in ("web", "worker"):
            mounts = [str(m) for m in service.get("volumes") or []]
            if not media_root or not any(m.split(":")[1] == media_root for m in mounts):
                problems.append(f"{name}: uploaded files (MEDIA_ROOT) are not on a volume")
        for target in ("postgres", "redis"):
            if target not in (service.get("depends_on") or {}):
                problems.append(f"{name}: should depend on {target}")
    if "web" in services and not (services["web"].get("ports")):
        problems.append("web: no published port")
    if "web" in services:
        problems += _check_gunicorn(_command(services["web"]), base)
    if "worker" in services:
        grace = _seconds(str(services["worker"].get("stop_grace_period") or "10s"))
        if grace is None or grace < WORKER_GRACE_SECONDS:
            problems.append(
                f"worker: stop_grace_period must be at least {WORKER_GRACE_SECONDS}s "
                "(a weekly report's build), so that stopping it does not cut a job short"
            )
    return problems


def _seconds(text: str) -> float | None:
    """A compose duration (``90s``, ``5m``, ``1m30s``, ``1h``) in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s|us)", text)
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        return None
    scale = {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000001}
    return sum(float(n) * scale[u] for n, u in parts)


def _check_gunicorn(command: str, base: Path) -> list[str]:
    """gunicorn 25+ opens a control socket in the (read-only) home: it must be off."""
    if "--no-control-socket" in command:
        return []
    match = re.search(r"(?:-c|--config)[ =](\S+)", command)
    if match:
        config = base / match.group(1)
        if not config.is_file():
            return [f"web: gunicorn config {match.group(1)} does not exist"]
        if re.search(r"^control_socket_disable\s*=\s*True", config.read_text(), re.M):
            return []
    return ["web: gunicorn's control socket is not turned off (it fails in a read-only home)"]


def _readme_defaults() -> dict[str, str]:
    """The default of each variable in README's configuration table (plain values only)."""
    readme = ROOT / "README.md"
    if not readme.is_file():
        return {}
    defaults = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"`[A-Z][A-Z0-9_]*`", cells[0]):
            value = re.fullmatch(r"`([^`]*)`", cells[1])
            if value:
                defaults[cells[0].strip("`")] = value.group(1)
            elif cells[1].startswith("on unless"):
                defaults[cells[0].strip("`")] = "1"
    return defaults


def check_dockerfile(path: Path) -> list[str]:
    if not path.is_file():
        return [f"{path.name} is missing"]
    text = path.read_text(encoding="utf-8")
    problems = []
    lines = [line.strip() for line in text.splitlines()]
    base = next((line for line in lines if line.upper().startswith("FROM ")), "")
    if "python:3.11-slim" not in base:
        problems.append("Dockerfile: base image should be python:3.11-slim")
    for needle, why in [
        ("libpango-1.0-0", "Pango for WeasyPrint"),
        ("libharfbuzz-subset0", "HarfBuzz subsetting for WeasyPrint"),
        ("fonts-wqy-microhei", "a CJK font for Chinese PDFs"),
        ("requirements/prod.lock", "the locked requirements"),
        ("requirements/build-constraints.txt", "the build constraints"),
        ("compile_translations", "compiled translations"),
        ("collectstatic", "collected static files"),
    ]:
        if needle not in text:
            problems.append(f"Dockerfile: {needle} missing ({why})")
    users = [line.split(None, 1)[1] for line in lines if line.upper().startswith("USER ")]
    if not users or users[-1] in ("root", "0"):
        problems.append("Dockerfile: must switch to a non-root USER")
    return problems


def main(argv: list[str]) -> int:
    compose_path = Path(argv[1] if len(argv) > 1 else ROOT / "docker-compose.yml")
    try:
        data = load_yaml(compose_path.read_text(encoding="utf-8"))
    except (OSError, YamlError, ValueError) as exc:
        print(f"{compose_path}: {exc}")
        return 1
    problems = check_compose(data, base=compose_path.parent)
    problems += check_dockerfile(compose_path.parent / "Dockerfile")
    for problem in problems:
        print(f"{compose_path.name}: {problem}")
    if problems:
        return 1
    print(f"{compose_path.name}: {len(data['services'])} services look right")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
