"""Static tier: the generated deploy/ manifests are valid Kubernetes, clean YAML and
pass a policy linter's Kubernetes checks.

Default run: the defaults plus each other value alone; with --all-combinations, every
combination. Each combination's overlays are rendered with kustomize (built into
kubectl) first; then each tool runs once over all of them, since every tool costs
seconds to start (checkov most). Identical renders are checked once.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import VENV_BIN, Generate, template_facts
from tests.matrix import combo_id, defaults, every_combination, one_at_a_time

OVERLAYS = ("dev", "prod")

YAMLLINT = {
    "extends": "default",
    "rules": {
        "line-length": {"max": 100},
        # Kubernetes and compose files are single documents or kustomize lists.
        "document-start": "disable",
    },
}

# checkov's Kubernetes checks the manifests do not pass, each for a reason; everything
# else must pass. (The worker's missing probes are skipped in worker.yaml itself, with
# checkov.io/skip annotations that say why.)
CHECKOV_SKIPS = {
    # Image by digest: the overlays pin a tag; the digest is known only to the CI that
    # pushed the image (kustomize `images: digest:` sets it there).
    "CKV_K8S_43",
    # CPU limits: throttling slows an async server's every request under load; CPU is
    # requested, memory is limited.
    "CKV_K8S_11",
    # Secrets as files: the application reads its settings from the environment
    # (pydantic-settings), as in every other deployment of it.
    "CKV_K8S_35",
    # NetworkPolicy: which traffic to allow depends on the cluster (ingress controller,
    # where the database and Redis run); the README's "Deploy" says to add one.
    "CKV2_K8S_6",
}


def _combos(config: pytest.Config) -> list[dict[str, Any]]:
    return every_combination() if config.getoption("--all-combinations") else one_at_a_time()


def _tool(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else name


def _run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, **options)


def test_deploy_manifests_validate_lint_and_pass_the_policy_checks(
    generate: Generate,
    template_src: Path,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (which has kustomize built in) is needed to render deploy/"
    version = template_facts(template_src, defaults(), {"deploy": "facts"})["deploy"][
        "kubernetes_version"
    ]

    rendered = tmp_path / "rendered"
    rendered.mkdir()
    sources: dict[str, Path] = {}
    seen: set[str] = set()
    for answers in _combos(request.config):
        project = generate(**answers)
        for overlay in OVERLAYS:
            result = _run([kubectl, "kustomize", str(project / "deploy" / "overlays" / overlay)])
            assert result.returncode == 0, f"{combo_id(answers)} {overlay}: {result.stderr}"
            digest = hashlib.sha256(result.stdout.encode()).hexdigest()[:12]
            if digest not in seen:
                seen.add(digest)
                (rendered / f"{combo_id(answers)}-{overlay}.yaml").write_text(result.stdout)
        files = [*sorted((project / "deploy").rglob("*.yaml")), project / "docker-compose.yml"]
        text = "".join(path.read_text() for path in files)
        sources.setdefault(hashlib.sha256(text.encode()).hexdigest(), project)
    manifests = sorted(str(path) for path in rendered.iterdir())
    print(f"{len(manifests)} distinct renders, {len(sources)} distinct source trees")

    checkov_env = {
        "PATH": f"{VENV_BIN}:/usr/bin:/bin",
        # Offline: no mapping download, no check for a newer checkov.
        "BC_SKIP_MAPPING": "TRUE",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
    }
    # The three tools at once: each spends most of its time starting.
    commands = {
        "kubernetes-validate": [
            _tool("kubernetes-validate"),
            "--kubernetes-version",
            f"{version}.0",
            "--strict",
            "--quiet",
            *manifests,
        ],
        "yamllint": [
            _tool("yamllint"),
            "--strict",
            "-d",
            json.dumps(YAMLLINT),
            *(str(project / "deploy") for project in sources.values()),
            *(str(project / "docker-compose.yml") for project in sources.values()),
        ],
        "checkov": [
            _tool("checkov"),
            "--directory",
            str(rendered),
            "--framework",
            "kubernetes",
            "--skip-download",
            "--quiet",
            "--compact",
            "--skip-check",
            ",".join(sorted(CHECKOV_SKIPS)),
        ],
    }
    processes = {
        name: subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=checkov_env if name == "checkov" else None,
        )
        for name, command in commands.items()
    }
    failures = []
    for name, process in processes.items():
        output, _ = process.communicate(timeout=600)
        print(f"--- {name}: exit {process.returncode}\n{output[-3000:]}")
        if process.returncode != 0:
            failures.append(f"{name} exited {process.returncode}:\n{output[-6000:]}")
    assert failures == [], "\n".join(failures)
