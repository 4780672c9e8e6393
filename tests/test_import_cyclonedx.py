"""`airready import cyclonedx`: ML-BOMs in, inventory YAML out, nothing dropped unsaid.

The CycloneDX specification's own ML test vectors must import and audit; the OWASP
generator's sample, which breaks the schema, must be refused with each error's position;
a BOM written here covers what the spec vectors do not (referenced and inline data sets,
several suppliers with contacts, dependencies, pedigree, services).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from projectkit import make_project, run
from sharedkit import EXTERNAL

EXAMPLES = EXTERNAL / "cyclonedx" / "examples"
VALID = ["valid-machine-learning-1.6.json", "valid-machine-learning-considerations-env-1.6.json"]
MODEL_PURL = "pkg:huggingface/acme/claims-llm@2.1"


def bom(**extra: Any) -> dict[str, Any]:
    """A claims assistant's ML-BOM, shaped like what a build pipeline emits."""
    document: dict[str, Any] = {
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79", "version": 1,
        "metadata": {"component": {"type": "application", "name": "claims-portal",
                                   "bom-ref": "app"},
                     "manufacturer": {"name": "Harbour Mutual"}},
        "components": [
            {"type": "machine-learning-model", "bom-ref": MODEL_PURL, "purl": MODEL_PURL,
             "group": "acme", "name": "claims-llm", "version": "2.1",
             "description": "Drafts claim decisions.",
             "hashes": [{"alg": "SHA-1", "content": "a" * 40},
                        {"alg": "SHA-256", "content": "b" * 64}],
             "supplier": {"name": "Acme AI", "url": ["https://acme.example"],
                          "contact": [{"email": "security@acme.example", "phone": "+1 555 0100"},
                                      {"email": "sales@acme.example"}]},
             "publisher": "Acme AI Inc.",
             "manufacturer": {"name": "Initech"},
             "licenses": [{"license": {"id": "Apache-2.0"}}],
             "externalReferences": [
                 {"type": "security-contact", "url": "mailto:psirt@acme.example"},
                 {"type": "documentation", "url": "https://acme.example/card"}],
             "pedigree": {"ancestors": [
                 {"type": "machine-learning-model", "name": "base-llm", "version": "1.0",
                  "purl": "pkg:huggingface/acme/base-llm@1.0"}]},
             "modelCard": {
                 "modelParameters": {
                     "task": "text-generation",
                     "datasets": [
                         {"ref": "data-claims"},
                         {"type": "dataset", "name": "Public web text",
                          "contents": {"url": "https://example.org/web"},
                          "classification": "public", "sensitiveData": ["PII"]}]},
                 "considerations": {
                     "technicalLimitations": ["Weak on handwritten forms"],
                     "ethicalConsiderations": [{"name": "Biased denials",
                                                "mitigationStrategy": "Human review"}],
                     "fairnessAssessments": [{"groupAtRisk": "Older claimants",
                                              "harms": "Slower payouts"}]}}},
            {"type": "data", "bom-ref": "data-claims", "name": "claims-history",
             "version": "2024-06", "supplier": {"name": "Globex Data"},
             "hashes": [{"alg": "SHA-512", "content": "c" * 128}],
             "data": [{"type": "dataset", "name": "claims", "classification": "confidential",
                       "sensitiveData": ["PII", "financial"],
                       "contents": {"url": "s3://claims/history"}}]},
            {"type": "data", "bom-ref": "data-clean", "name": "claims-clean",
             "data": [{"type": "dataset", "name": "clean"}]},
            {"type": "library", "bom-ref": "pkg:pypi/vllm@0.4.0", "purl": "pkg:pypi/vllm@0.4.0",
             "name": "vllm", "version": "0.4.0", "supplier": {"name": "vLLM Project"},
             "hashes": [{"alg": "SHA-256", "content": "d" * 64}]},
            {"type": "container", "bom-ref": "image", "name": "serving-image"},
        ],
        "services": [{"bom-ref": "svc-moderation", "name": "Moderation API",
                      "provider": {"name": "OpenAI"},
                      "endpoints": ["https://api.example.com/v1/moderations"]}],
        "dependencies": [
            {"ref": MODEL_PURL, "dependsOn": ["pkg:pypi/vllm@0.4.0", "svc-moderation",
                                              "data-clean", "ghost"]},
            {"ref": "data-clean", "dependsOn": ["data-claims"]},
            {"ref": "image", "dependsOn": ["pkg:pypi/vllm@0.4.0"]},
            {"ref": "app", "dependsOn": [MODEL_PURL]},
        ],
    }
    document.update(extra)
    return document


def write_bom(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return path


def entity(out: Path, folder: str, name: str) -> dict[str, Any]:
    return yaml.safe_load((out / "inventory" / folder / f"{name}.yaml").read_text("utf-8"))


@pytest.mark.parametrize("name", VALID)
def test_the_specification_examples_import_validate_and_audit(tmp_path, capsys, name):
    out = tmp_path / "project"
    imported = run(capsys, "import", "cyclonedx", EXAMPLES / name, "--out", out)
    assert imported.code == 0, imported.err
    assert "created a new project" in imported.out
    assert run(capsys, "validate", "--project", out).code == 0
    checked = run(capsys, "check", "--project", out, "--fail-on", "none")
    assert checked.code == 0 and "Traceback" not in checked.err
    models = list((out / "inventory" / "models").glob("*.yaml"))
    assert len(models) == 1
    assert yaml.safe_load(models[0].read_text())["metadata"]["external_ids"]["bom-ref"]


def test_the_stable_diffusion_card_gives_a_dataset_and_unrated_risks(tmp_path, capsys):
    out = tmp_path / "project"
    run(capsys, "import", "cyclonedx", EXAMPLES / VALID[0], "--out", out)
    model = entity(out, "models", "stable-diffusion")
    assert model["spec"]["publisher"] == ["vendor:acme-inc"]
    assert model["spec"]["training_data"] == ["dataset:stable-diffusion-training-data"]
    dataset = entity(out, "datasets", "stable-diffusion-training-data")
    assert dataset["spec"] == {"source": "https://example.com/path/to/dataset",
                               "data_classes": ["public"]}
    risks = [yaml.safe_load(p.read_text()) for p in (out / "inventory" / "risks").glob("*")]
    assert {r["spec"]["category"] for r in risks} == {"ethical", "fairness"}
    assert all("likelihood" not in r["spec"] and "impact" not in r["spec"] for r in risks)


def test_a_bom_that_breaks_the_schema_is_refused_with_positions(tmp_path, capsys):
    source = EXAMPLES / "owasp-aibom-generator_expected_aibom.json"
    result = run(capsys, "import", "cyclonedx", source, "--out", tmp_path / "p")
    assert result.code == 2
    assert f"{source.as_posix()}:4:19: [error] serialNumber:" in result.out
    assert f"{source.as_posix()}:39:19: [error] components[0].licenses:" in result.out
    assert "CycloneDX 1.6 schema" in result.out
    assert not (tmp_path / "p").exists()


def test_an_own_bom_maps_models_data_components_vendors_and_relations(tmp_path, capsys):
    out = tmp_path / "project"
    source = write_bom(tmp_path / "bom.json", bom())
    result = run(capsys, "import", "cyclonedx", source, "--out", out, "--owner",
                 "team:claims-ml")
    assert result.code == 0, result.err
    model = entity(out, "models", "claims-llm")
    assert model["metadata"]["title"] == "acme/claims-llm"
    assert model["metadata"]["owner"] == "team:claims-ml"
    assert model["metadata"]["external_ids"] == {"purl": MODEL_PURL, "bom-ref": MODEL_PURL}
    assert {"title": "documentation", "url": "https://acme.example/card"} in \
        model["metadata"]["links"]
    spec = model["spec"]
    assert spec["version"] == "2.1" and spec["checksum"] == "sha256:" + "b" * 64
    assert spec["developer"] == ["vendor:initech"]
    assert spec["publisher"] == ["vendor:acme-ai"]  # publisher and supplier: one vendor
    assert spec["base_model"] == "model:base-llm"
    assert spec["training_data"] == ["dataset:claims-history",
                                     "dataset:claims-llm-public-web-text", "dataset:claims-clean"]
    assert spec["depends_on"] == ["component:vllm", "component:moderation-api"]
    vendor = entity(out, "vendors", "acme-ai")
    # the security-contact reference wins over the supplier's general contact
    assert vendor["spec"]["security_contact"] == {"email": "psirt@acme.example",
                                                  "phone": "+1 555 0100"}
    assert vendor["metadata"]["links"] == [{"title": "Website", "url": "https://acme.example"}]
    data = entity(out, "datasets", "claims-history")
    assert data["spec"] == {"source": "s3://claims/history", "supplier": "vendor:globex-data",
                            "data_classes": ["confidential", "financial", "pii"],
                            "provenance": {"checksum": "sha512:" + "c" * 128}}
    assert entity(out, "datasets", "claims-clean")["spec"]["derived_from"] == [
        "dataset:claims-history"]
    assert entity(out, "datasets", "claims-llm-public-web-text")["spec"]["data_classes"] == [
        "pii", "public"]
    library = entity(out, "components", "vllm")
    assert library["spec"] == {"type": "library", "version": "0.4.0",
                               "supplier": "vendor:vllm-project",
                               "checksum": "sha256:" + "d" * 64}
    assert entity(out, "components", "serving-image")["spec"]["depends_on"] == ["component:vllm"]
    service = entity(out, "components", "moderation-api")
    assert service["spec"] == {"supplier": "vendor:openai", "managed": True}
    assert entity(out, "teams", "claims-ml")["metadata"] == {"name": "claims-ml"}
    assert run(capsys, "validate", "--project", out).code == 0


def test_what_has_no_place_is_reported_with_its_position(tmp_path, capsys):
    source = write_bom(tmp_path / "bom.json", bom())
    result = run(capsys, "import", "cyclonedx", source, "--out", tmp_path / "p")
    report = (tmp_path / "p" / "import-report-cyclonedx.md").read_text("utf-8")
    text = json.dumps(bom(), indent=2).splitlines()
    licenses_line = next(i for i, line in enumerate(text, 1) if '"licenses"' in line)
    assert f"bom.json:{licenses_line}:" in report
    for field in ("components[0].licenses", "modelParameters.task",
                  "considerations.technicalLimitations", "services[0].endpoints",
                  "components[1].version"):
        assert field in report.replace("\\", ""), field
    assert "model:claims-llm depends on" not in report  # those relations have a place
    assert "component:claims-portal depends on model:claims-llm: no such relation" in \
        report.replace("\\", "")
    assert "'ghost' is not a component of this BOM" in result.out
    assert "kept the SHA-256 hash" in result.out
    # the contacts left aside are named, not dropped
    assert "not its security contact: sales@acme.example" in result.out
    assert "not its security contact: security@acme.example" in result.out
    assert "metadata.manufacturer" not in report  # it named the new project's Organization


def test_a_second_import_follows_the_purl_and_keeps_edits(tmp_path, capsys):
    out = tmp_path / "project"
    source = write_bom(tmp_path / "bom.json", bom())
    assert run(capsys, "import", "cyclonedx", source, "--out", out).code == 0
    path = out / "inventory" / "models" / "claims-llm.yaml"
    path.write_text(path.read_text() + "  lifecycle: production\n")
    changed = bom()
    changed["components"][0].update(name="claims-llm-v2", version="2.2")
    result = run(capsys, "import", "cyclonedx", write_bom(source, changed), "--out", out)
    assert result.code == 0, result.err
    assert not (out / "inventory" / "models" / "claims-llm-v2.yaml").exists()
    model = yaml.safe_load(path.read_text())
    assert model["metadata"]["title"] == "acme/claims-llm-v2"
    assert model["spec"]["version"] == "2.2" and model["spec"]["lifecycle"] == "production"


def test_into_an_existing_project_with_a_person_owner(tmp_path, capsys):
    project = make_project(tmp_path / "p", files={
        "inventory/org.yaml": "apiVersion: airready/v1\nkind: Organization\n"
                              "metadata: {name: acme}\n",
        "inventory/people.yaml": "apiVersion: airready/v1\nkind: Person\n"
                                 "metadata: {name: ada, title: Ada}\nspec: {email: a@x.example}\n"})
    source = write_bom(tmp_path / "bom.json", bom())
    result = run(capsys, "import", "cyclonedx", source, "--out", project / "inventory" / "bom",
                 "--owner", "person:ada")
    assert result.code == 0, result.err
    assert "created a new project" not in result.out
    assert (project / "inventory" / "people.yaml").read_text().endswith("a@x.example}\n")
    assert run(capsys, "validate", "--project", project).code == 0
    bad = run(capsys, "import", "cyclonedx", source, "--out", tmp_path / "q", "--owner", "ada")
    assert bad.code == 2 and "--owner 'ada'" in bad.err


def test_a_1_5_bom_imports_and_older_or_broken_ones_are_refused(tmp_path, capsys):
    minimal = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
               "components": [{"type": "machine-learning-model", "name": "scorer",
                               "bom-ref": "m"}]}
    for version in ("1.5", "1.7"):
        ok = run(capsys, "import", "cyclonedx",
                 write_bom(tmp_path / "a.json", {**minimal, "specVersion": version}),
                 "--out", tmp_path / version)
        assert ok.code == 0, ok.err
        assert (tmp_path / version / "inventory" / "models" / "scorer.yaml").exists()
    old = run(capsys, "import", "cyclonedx",
              write_bom(tmp_path / "b.json", {**minimal, "specVersion": "1.4"}),
              "--out", tmp_path / "b")
    assert old.code == 2 and "specVersion '1.4' is not supported" in old.out
    broken = tmp_path / "c.json"
    broken.write_text('{"bomFormat": "CycloneDX",\n  "specVersion": 1.6,,\n}')
    bad = run(capsys, "import", "cyclonedx", broken, "--out", tmp_path / "c")
    assert bad.code == 2 and f"{broken.as_posix()}:2:22: [error] not JSON" in bad.out
    assert "Traceback" not in bad.err
