"""Validation behaviours the case folders do not show on their own."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from airready.inventory.config import ProjectConfig, find_root, load_project
from airready.inventory.kinds import KINDS, OWNER_REQUIRED, SPEC_BY_KIND
from airready.inventory.model import Inventory
from airready.inventory.problems import InputError, Problem
from airready.inventory.schema_errors import data_path, did_you_mean
from airready.inventory.validate import build_inventory, inventory_files, load_inventory
from airready.inventory.yamlsource import parse_text

ORG = "apiVersion: airready/v1\nkind: Organization\nmetadata: {name: acme}\n"
ADA = "apiVersion: airready/v1\nkind: Person\nmetadata: {name: ada}\n"


def build(*texts: str) -> tuple[Inventory, list[str]]:
    """Each text is one file (inventory/1.yaml, inventory/2.yaml ...); problems rendered."""
    docs = []
    for number, text in enumerate(texts, start=1):
        file_docs, problems = parse_text(textwrap.dedent(text), f"inventory/{number}.yaml")
        assert problems == []
        docs.extend(file_docs)
    inventory, problems = build_inventory(docs)
    return inventory, [p.render() for p in problems]


def entity(kind: str, body: str = "", metadata: str = "name: x") -> str:
    return f"apiVersion: airready/v1\nkind: {kind}\nmetadata: {{{metadata}}}\n{body}"


# --- the owner rule and external entities ---------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_owner_required_exactly_where_the_format_says(kind: str) -> None:
    fields = {name for name, info in SPEC_BY_KIND[kind].model_fields.items()
              if info.is_required()}
    spec = {
        "Playbook": "spec: {scenario: prompt_injection}\n",
        "Incident": "spec: {severity: P1, category: prompt_injection}\n",
        "Risk": "spec: {title: t, likelihood: 1, impact: 1}\n",
        "Waiver": "spec: {control: AIR-LOG-001, targets: all, justification: j, "
                  "approved_by: person:ada, expires: 2026-12-31}\n",
    }.get(kind, "")
    assert bool(fields) == bool(spec)
    _, problems = build(ADA, entity(kind, spec))
    owner = [p for p in problems if "metadata.owner" in p]
    if kind in OWNER_REQUIRED:
        assert owner == [f"inventory/2.yaml:3:11: [error] metadata.owner: required field "
                         f"'owner' is missing: a {kind} needs an owner (person:<name> or "
                         "team:<name>) (schema)"]
    else:
        assert owner == []
    assert {"Model", "Dataset", "Tool", "Playbook", "Risk"} == OWNER_REQUIRED


def test_owner_reported_beside_schema_errors() -> None:
    _, problems = build(entity("Model", "spec: {lifecycle: live}\n"))
    assert [p.split("] ")[1].split(":")[0] for p in problems] == [
        "metadata.owner", "spec.lifecycle"]


@pytest.mark.parametrize("kind", ["Model", "Dataset", "Tool", "Vendor", "Person", "Component"])
def test_external_entities_need_no_owner_and_no_spec(kind: str) -> None:
    inventory, problems = build(entity(kind, metadata="name: x, external: true"),
                                entity(kind, "spec: {}\n", metadata="name: y, external: true"))
    assert problems == []
    assert len(inventory.entities) == 2


@pytest.mark.parametrize("kind", ["Playbook", "Incident", "Risk", "Waiver"])
def test_kinds_that_cannot_be_external(kind: str) -> None:
    _, problems = build(entity(kind, metadata="name: x, external: true"))
    article = "an" if kind == "Incident" else "a"
    assert problems == [f"inventory/1.yaml:3:21: [error] metadata.external: {article} {kind} "
                        "cannot be external; it is always the organisation's own (schema)"]


def test_absent_spec_of_an_optional_kind_is_an_empty_one() -> None:
    inventory, problems = build(entity("Model", metadata="name: m, owner: person:ada"), ADA,
                                entity("Team", "spec:\n"))
    assert problems == []
    assert inventory.spec("model:m") == SPEC_BY_KIND["Model"]()
    assert inventory.spec("team:x") == SPEC_BY_KIND["Team"]()


# --- readiness gaps are not format errors ---------------------------------------------------

def test_an_estate_full_of_gaps_validates() -> None:
    _, problems = build(
        ORG + "spec:\n  roles:\n    incident_commander: {primary: person:ada}\n",
        ADA,
        entity("Model", metadata="name: bot, owner: person:ada"),
        entity("Model", "spec: {logging: {}, rollback: {}, baselines: {}, containment: {}}\n",
               metadata="name: bot2, owner: person:ada"),
        entity("Vendor", "spec: {security_contact: {}}\n", metadata="name: v"),
        entity("Credential", metadata="name: key"),
    )
    assert problems == []


# --- values YAML 1.1 retyped ----------------------------------------------------------------

@pytest.mark.parametrize(("value", "found", "kind"), [
    ("NO", "the boolean false", "a boolean"),
    ("on", "the boolean true", "a boolean"),
    ("Yes", "the boolean true", "a boolean"),
    ("1.10", "the number 1.1", "a number"),
    ("1.0e+3", "the number 1000.0", "a number"),
    ("017", "the number 15", "a number"),
    ("1_000", "the number 1000", "a number"),
    ("2026-01-01", "the date 2026-01-01", "a date"),
    ("2026-01-01T10:00:00Z", "the timestamp 2026-01-01T10:00:00+00:00", "a timestamp"),
])
def test_retyped_value_gets_a_hint_to_quote_it(value: str, found: str, kind: str) -> None:
    _, problems = build(ADA, entity("Model", f"spec: {{version: {value}}}\n",
                                    metadata="name: m, owner: person:ada"))
    assert problems == [
        f"inventory/2.yaml:4:17: [error] spec.version: expected text, found {found} (YAML "
        f"reads an unquoted {value} as {kind}: write \"{value}\" to keep it as text) (schema)"]
    quoted = entity("Model", f"spec: {{version: '{value}'}}\n",
                    metadata="name: m, owner: person:ada")
    assert build(ADA, quoted)[1] == []


def test_retyped_value_where_a_choice_was_expected() -> None:
    _, problems = build(ADA, entity("Model", "spec: {users: {audience: no}}\n",
                                    metadata="name: m, owner: person:ada"))
    assert problems == [
        "inventory/2.yaml:4:26: [error] spec.users.audience: the boolean false is not one of "
        "internal, external (YAML reads an unquoted no as a boolean: write \"no\" to keep it as "
        "text) (schema)"]


def test_no_hint_where_a_boolean_or_number_is_wanted() -> None:
    _, problems = build(ADA, entity("Model", "spec: {users: {count: 1.5}, logging: "
                                    "{inputs: maybe}}\n", metadata="name: m, owner: person:ada"))
    assert [p.split(": [error] ")[1] for p in problems] == [
        "spec.users.count: expected a whole number, found the number 1.5 (schema)",
        "spec.logging.inputs: expected true or false, found 'maybe' (schema)"]


def test_retyped_key() -> None:
    _, problems = build(ADA, entity("Person", metadata="name: p, labels: {yes: 1, 'no': b}"))
    assert problems == [
        "inventory/2.yaml:3:30: [error] metadata.labels.yes: a key must be text, found the "
        "boolean true (YAML reads an unquoted yes as a boolean: write \"yes\" to keep it as "
        "text) (schema)",
        "inventory/2.yaml:3:35: [error] metadata.labels.yes: expected text, found the number 1 "
        "(YAML reads an unquoted 1 as a number: write \"1\" to keep it as text) (schema)"]


# --- names and references -------------------------------------------------------------------

def test_references_to_an_invalid_entity_do_not_cascade() -> None:
    _, problems = build(ADA, entity("Dataset", "spec: {provenance: oops}\n",
                                    metadata="name: tickets, owner: person:ada"),
                        entity("Model", "spec: {training_data: [dataset:tickets]}\n",
                               metadata="name: bot, owner: person:ada"))
    assert [p.split(": [error] ")[1] for p in problems] == [
        "spec.provenance: expected a mapping, found 'oops' (schema)"]


def test_an_invalid_duplicate_is_still_a_duplicate() -> None:
    _, problems = build(ADA, entity("Person", "spec: {skills: [cooking]}\n", metadata="name: ada"))
    assert sorted(problems) == [
        "inventory/2.yaml:3:18: [error] metadata.name: person:ada is defined twice "
        "(first at inventory/1.yaml:3:18) (schema)",
        "inventory/2.yaml:4:17: [error] spec.skills.0: 'cooking' is not one of ml, security, "
        "data_science, legal, communications (schema)",
    ]


def test_names_are_unique_within_a_kind_only() -> None:
    _, problems = build(ADA, entity("Team", metadata="name: ada"),
                        entity("Vendor", metadata="name: ada"))
    assert problems == []


@pytest.mark.parametrize(("reference", "hint"), [
    ("component:llama", " (did you mean 'model:llama'?)"),  # the same name, another kind
    ("component:lama", " (did you mean 'model:llama'?)"),  # a close name of another kind
    ("model:llamma", " (did you mean 'model:llama'?)"),
    ("model:gpt", ""),
])
def test_did_you_mean_for_references(reference: str, hint: str) -> None:
    model = entity("Model", f"spec: {{depends_on: [{reference}]}}\n",
                   metadata="name: bot, owner: person:ada")
    _, problems = build(ADA, model, entity("Model", metadata="name: llama, owner: person:ada"))
    prefix, name = reference.split(":")
    kind = {"component": "Component", "model": "Model"}[prefix]
    assert problems == [f"inventory/2.yaml:4:21: [error] spec.depends_on.0: {reference!r} "
                        f"does not resolve: no {kind} named {name!r}{hint} (reference)"]


def test_a_reference_is_not_guessed_from_a_kind_the_field_refuses() -> None:
    # provider takes vendor: only; a model of that name is no hint.
    _, problems = build(ADA, entity("Model", "spec: {provider: vendor:llama}\n",
                                    metadata="name: llama, owner: person:ada"))
    assert problems[0].endswith("no Vendor named 'llama' (reference)")


def test_every_kind_of_reference_is_checked() -> None:
    _, problems = build(
        ORG + "spec:\n  team: [person:nobody]\n  roles: {ic: {primary: person:nobody}}\n",
        entity("Playbook", "spec: {scenario: model_theft, applies_to: [model:nothing]}\n",
               metadata="name: p, owner: team:nobody"),
    )
    assert [p.split(": [error] ")[1].split(":")[0] for p in problems] == [
        "spec.roles.ic.primary", "spec.team.0", "metadata.owner", "spec.applies_to.0"]


def test_applies_to_all_inside_a_list() -> None:
    _, problems = build(entity("Playbook", "spec: {scenario: model_theft, applies_to: [all]}\n",
                               metadata="name: p, owner: person:ada"), ADA)
    assert problems == ["inventory/1.yaml:4:44: [error] spec.applies_to.0: a reference is "
                        "written kind:name, e.g. model:<name>; got 'all' (schema)"]


def test_problems_are_sorted_by_place() -> None:
    _, problems = build(entity("Model", "spec: {lifecycle: x, risk_tier: y}\n",
                               metadata="name: BAD"),
                        entity("Team", "spec: {members: [person:z]}\n", metadata="name: t"))
    places = [tuple(int(n) for n in p.split(":")[1:3]) for p in problems]
    files = [p.split(":")[0] for p in problems]
    assert files == sorted(files)
    assert places[:3] == sorted(places[:3])


@pytest.mark.parametrize(("spec", "message"), [
    ("{roles: {ic: {primary: person:ada, bakup: person:ada}}}",
     "spec.roles.ic.bakup: unknown field 'bakup' (did you mean 'backup'?)"),
    ("{channels: [{name: x, kind: slack, dedicate: true}]}",
     "spec.channels.0.dedicate: unknown field 'dedicate' (did you mean 'dedicated'?)"),
    ("{targets: {P1: {detct: PT1H}}}",
     "spec.targets.P1.detct: unknown field 'detct' (did you mean 'detect'?)"),
    ("{forensic_environment: {isolatd: true}}",
     "spec.forensic_environment.isolatd: unknown field 'isolatd' (did you mean 'isolated'?)"),
    ("{escalation: {lawyers: x}}",
     "spec.escalation.lawyers: unknown field 'lawyers' (expected one of: legal, "
     "notify_customers, take_offline)"),
])
def test_unknown_fields_anywhere_get_a_hint(spec: str, message: str) -> None:
    _, problems = build(ADA, ORG + f"spec: {spec}\n")
    assert [p.split(": [error] ")[1] for p in problems] == [message + " (schema)"]


# --- schema_errors helpers ------------------------------------------------------------------

def test_data_path_drops_union_labels() -> None:
    data = {"spec": {"targets": ["model:x", "foo"]}}
    assert data_path(data, ("spec", "targets", "list[function-after[check(), str]]", 1)) == (
        ("spec", "targets", 1), 2)
    assert data_path(data, ("spec", "targets", "literal['all']")) == (("spec", "targets"), 2)
    assert data_path(data, ("spec", "missing"), missing=True) == (("spec", "missing"), None)
    assert data_path(data, ("spec",)) == (("spec",), None)


def test_did_you_mean() -> None:
    assert did_you_mean("prodution", ["production", "staging"]) == " (did you mean 'production'?)"
    assert did_you_mean("xyz", ["production", "staging"]) == ""
    assert did_you_mean("vendors", ["inventory"]) == " (did you mean 'inventory'?)"
    assert did_you_mean("vendors", ["inventory"], cutoff=0.75) == ""


# --- the project file -----------------------------------------------------------------------

def project(tmp_path: Path, config: str, files: dict[str, str] | None = None) -> Path:
    (tmp_path / "airready.yaml").write_text(textwrap.dedent(config), encoding="utf-8")
    for name, text in (files if files is not None else {"inventory/org.yaml": ORG}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def problems_of(root: Path) -> list[str]:
    _, problems = load_inventory(load_project(root, root))
    return [p.render() for p in problems]


def test_empty_project_file_means_the_defaults(tmp_path: Path) -> None:
    loaded = load_project(project(tmp_path, ""), tmp_path)
    assert loaded.config == ProjectConfig()
    assert loaded.config.inventory == ["inventory"]
    assert problems_of(tmp_path) == []


def test_project_file_problems_are_located(tmp_path: Path) -> None:
    project(tmp_path, "inventory: [inventory]\ncontrols: builtin\noverrides: {AIR-X-001: 3}\n")
    with pytest.raises(InputError) as raised:
        load_project(tmp_path, tmp_path)
    assert [p.render() for p in raised.value.problems] == [
        "airready.yaml:2:11: [error] controls: expected a list, found 'builtin' (config)",
        "airready.yaml:3:24: [error] overrides.AIR-X-001: expected a mapping, found the "
        "number 3 (config)",
    ]


def test_project_file_with_two_documents(tmp_path: Path) -> None:
    project(tmp_path, "inventory: [inventory]\n---\nfail_on: low\n")
    with pytest.raises(InputError) as raised:
        load_project(tmp_path, tmp_path)
    assert raised.value.problems == [
        Problem("airready.yaml", 3, 1, "airready.yaml holds one document, not 2", code="config")]


def test_project_file_that_does_not_parse(tmp_path: Path) -> None:
    project(tmp_path, "inventory: [inventory\n")
    with pytest.raises(InputError) as raised:
        load_project(tmp_path, tmp_path)
    assert [(p.file, p.line, p.code) for p in raised.value.problems] == [("airready.yaml", 2,
                                                                          "yaml")]


def test_missing_project_folder_and_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_project(tmp_path / "nowhere", tmp_path)
    assert raised.value.problems[0].message == (
        f"the project folder {tmp_path / 'nowhere'} does not exist (airready init DIR creates "
        "a project)")
    with pytest.raises(InputError) as raised:
        load_project(tmp_path, tmp_path)
    assert raised.value.problems[0].message == (
        f"no airready.yaml in {tmp_path} (airready init DIR creates a project)")


def test_find_root_walks_up(tmp_path: Path) -> None:
    project(tmp_path, "inventory: [inventory]\n")
    deep = tmp_path / "inventory" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path.resolve()
    assert find_root(tmp_path) == tmp_path.resolve()
    assert find_root(tmp_path.parent) is None or find_root(tmp_path.parent) != tmp_path


def test_inventory_entries_may_be_files_and_overlap(tmp_path: Path) -> None:
    project(tmp_path, "inventory: [inventory, inventory/org.yaml, people.yaml]\n",
            {"inventory/org.yaml": ORG, "people.yaml": ADA})
    inventory, problems = load_inventory(load_project(tmp_path, tmp_path))
    assert problems == []
    assert sorted(inventory.entities) == ["organization:acme", "person:ada"]
    assert inventory.sources["person:ada"].file == "people.yaml"


def test_inventory_may_be_the_whole_project_folder(tmp_path: Path) -> None:
    # The project file and hidden folders (.github/workflows/*.yml) are not entities.
    project(tmp_path, "inventory: [.]\n", {"org.yaml": ORG, "people/ada.yaml": ADA,
                                           ".github/workflows/ci.yml": "on: push\n"})
    inventory, problems = load_inventory(load_project(tmp_path, tmp_path))
    assert problems == []
    assert sorted(inventory.entities) == ["organization:acme", "person:ada"]


def test_reports_and_waivers_are_read_too(tmp_path: Path) -> None:
    project(tmp_path, "inventory: [inventory]\nreports: reports\nwaivers: [waivers.yaml]\n", {
        "inventory/org.yaml": ORG,
        "reports/inc.yaml": entity("Incident", "spec: {severity: P1, category: model_theft}\n"),
        "waivers.yaml": entity("Waiver", "spec: {control: AIR-LOG-001, targets: all, "
                                         "justification: j, approved_by: person:ada, "
                                         "expires: 2026-12-31}\n"),
    })
    assert problems_of(tmp_path) == [
        "waivers.yaml:4:75: [error] spec.approved_by: 'person:ada' does not resolve: no Person "
        "named 'ada' (reference)"]


def test_a_missing_reports_folder_is_fine_a_missing_waivers_file_is_not(tmp_path: Path) -> None:
    project(tmp_path, "inventory: [inventory]\nreports: reports\nwaivers: [w.yaml]\n")
    assert problems_of(tmp_path) == [
        "airready.yaml:3:11: [error] waivers: 'w.yaml' does not exist (config)"]


def test_no_organization_is_not_claimed_when_it_is_only_broken(tmp_path: Path) -> None:
    broken = ORG.replace("{name: acme}", "{name: Acme}")
    project(tmp_path, "inventory: [inventory]\n", {"inventory/org.yaml": broken})
    assert problems_of(tmp_path) == [
        "inventory/org.yaml:3:18: [error] metadata.name: 'Acme' is not a valid name: lower "
        "case letters, digits, '.', '_' and '-', starting and ending with a letter or digit "
        "(schema)"]


def test_no_organization_is_not_claimed_when_a_file_does_not_parse(tmp_path: Path) -> None:
    project(tmp_path, "inventory: [inventory]\n", {"inventory/org.yaml": "kind: [\n"})
    assert [p.split(": [error] ")[1][:20] for p in problems_of(tmp_path)] == [
        "YAML does not parse:"]


def test_no_organization_in_an_empty_inventory(tmp_path: Path) -> None:
    project(tmp_path, "inventory: []\n", {})
    assert problems_of(tmp_path) == [
        "airready.yaml:1:12: [error] the inventory has no Organization: add exactly one "
        "(kind: Organization) (schema)"]


def test_every_problem_has_a_real_place(tmp_path: Path) -> None:
    cases = Path(__file__).parent / "cases" / "invalid"
    for folder in sorted(cases.iterdir()):
        try:
            _, problems = load_inventory(load_project(folder, folder))
        except InputError as exc:
            problems = exc.problems
        assert problems, folder.name
        for problem in problems:
            assert problem.line >= 1 and problem.column >= 1, (folder.name, problem)
            assert (folder / problem.file).is_file(), (folder.name, problem)


@pytest.mark.parametrize("relative", [False, True])
def test_inventory_files_are_shown_as_the_project_shows_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: bool) -> None:
    """inventory_files words paths itself for speed; it must say what Project.shown says."""
    root = Path(__file__).resolve().parents[1]  # the example project
    if relative:
        monkeypatch.chdir(root / "docs")
        root = Path("..")
    project = load_project(root, root)
    files, problems = inventory_files(project)
    assert problems == [] and len(files) > 10
    for path, shown in files:
        assert path.is_absolute() and shown == project.shown(path)
