"""The people registry, segregation of duties, the manual's own sign-off and signed approvals.

Keys and certificates are made in the test (``signing_keys``); ``manual approve`` and
``manual check`` run as a user runs them, and the tests read back what they wrote.
"""
from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
import yaml
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import MINIMAL, copy_manual, run_cli
from generator.model.build import read_manual
from generator.model.fingerprint import approval_record, manual_fingerprint
from generator.rules.approvals import load_certificate, verify_signature
from signing_keys import PASSWORD, make_signer

DOC = "policies/0101-2020.md"
FORM = "forms/visit-record.yaml"
CONFIG = "manual/manual.yaml"
ENV = {"MANUAL_TODAY": "2020-03-01"}
DATES = {"prepared": "2020-02-01", "reviewed": "2020-02-10", "approved": "2020-02-20"}
COVER_DATES = {"prepared": "2020-02-21", "reviewed": "2020-02-25", "approved": "2020-02-28"}
IDS = {"prepared": "zhangsan", "reviewed": "lisi", "approved": "wangwu"}


def people_yaml(certificates: dict[str, str] | None = None, lisi_roles: str = "[{role: 业务经理, from: 2018-06-01}]") -> str:
    cert = {k: f"    certificate: {v}\n" for k, v in (certificates or {}).items()}
    return ("people:\n"
            "  - id: zhangsan\n    name: 张三\n" + cert.get("zhangsan", "") + "    roles: [{role: 业务员, from: 2019-01-01}]\n"
            "  - id: lisi\n    name: 李四\n" + cert.get("lisi", "") + f"    roles: {lisi_roles}\n"
            "  - id: wangwu\n    name: 王五\n" + cert.get("wangwu", "") + "    roles: [{role: 总经理, from: 2015-01-01}]\n")


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def edit(root, rel, old, new):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def approve(root, key, step, *extra, env=None):
    return run_cli("approve", key, "--step", step, "--root", root, *extra, env={**ENV, **(env or {})})


def check(root, *extra):
    result = run_cli("check", "--root", root, "--format", "json", "--lang", "en", *extra, env=ENV)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, [(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


def only_unfingerprinted(result) -> bool:
    """No errors, and no warning but those of sign-offs not fingerprinted yet (one approval puts the manual
    under fingerprint control)."""
    code, found = result
    return code == 0 and {f[0] for f in found} <= {"approval-unfingerprinted"}


def entry(root, rel, step):
    text = (root / rel).read_text(encoding="utf-8")
    data = yaml.safe_load(text.split("---\n")[1] if rel.endswith(".md") else text)
    return data["signoff"][step]


def line_of(root, rel, needle):
    for n, line in enumerate((root / rel).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


@pytest.fixture
def registry(tmp_path):
    """The minimal manual with a people registry naming its three signers (no certificates)."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    write(root, "manual/people.yaml", people_yaml())
    return root


@pytest.fixture
def signers(tmp_path):
    """Keys of the three signers: their PKCS#12 files outside the manual, their certificates inside."""
    made = {}
    for person in IDS.values():
        signer = make_signer(person)
        p12 = tmp_path / "keys" / f"{person}.p12"
        p12.parent.mkdir(exist_ok=True)
        p12.write_bytes(signer.p12)
        made[person] = (signer, p12)
    return made


@pytest.fixture
def signing(registry, signers):
    """The registry with every signer's certificate, and signatures required."""
    root = registry
    for person, (signer, _) in signers.items():
        write(root, f"manual/certs/{person}.pem", signer.certificate_pem.decode("ascii"))
    write(root, "manual/people.yaml", people_yaml({p: f"manual/certs/{p}.pem" for p in signers}))
    edit(root, CONFIG, "signoff_policy:", "signatures: required\nsignoff_policy:")
    return root


# -- without a registry: free text, as before ------------------------------------------------------
def test_without_a_registry_names_are_free_text(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    assert check(root) == (0, [])
    assert approve(root, "0102-2020", "reviewed", "--name", "某某", "--role", "业务经理").returncode == 0
    assert only_unfingerprinted(check(root))
    refused = approve(root, "0102-2020", "approved", "--as", "wangwu", "--role", "总经理")
    assert refused.returncode == 2 and "manual/people.yaml" in refused.stderr and "Traceback" not in refused.stderr


# -- the registry ------------------------------------------------------------------------------------
def test_sign_offs_name_registry_people(registry):
    assert check(registry) == (0, [])  # every name resolves to one person who held the role on the date
    edit(registry, DOC, "reviewed: {name: 李四,", "reviewed: {name: 李斯,")
    assert check(registry) == (1, [("signoff-person", DOC, 16)])


def test_person_by_id_and_name_must_agree(registry):
    edit(registry, DOC, "reviewed: {name: 李四,", "reviewed: {person: lisi, name: 李四,")
    assert check(registry) == (0, [])
    edit(registry, DOC, "{person: lisi, name: 李四,", "{person: lisi, name: 王五,")
    assert check(registry) == (1, [("signoff-person", DOC, 16)])


def test_a_name_two_people_share_needs_an_id(registry):
    edit(registry, "manual/people.yaml", "  - id: wangwu\n", "  - id: lisi2\n    name: 李四\n    roles: [{role: 业务员}]\n"
         "  - id: wangwu\n")
    code, found = check(registry)
    assert code == 1 and ("signoff-person", DOC, 16) in found
    edit(registry, DOC, "reviewed: {name: 李四,", "reviewed: {person: lisi,")
    code, found = check(registry)
    assert ("signoff-person", DOC, 16) not in found


def test_the_role_must_be_held_on_the_date(registry):
    # 李四 was 业务经理 only until 2020-02-05: his review of 2020-02-10 was not in that role
    write(registry, "manual/people.yaml",
          people_yaml(lisi_roles="[{role: 业务经理, from: 2018-06-01, to: 2020-02-05}, {role: 业务员, from: 2020-02-06}]"))
    code, found = check(registry)
    assert ("signoff-role-held", DOC, 16) in found and code == 1
    # manual approve --as takes the role held on the date; here it may not review in it: refused (sod-role)
    refused = approve(registry, "0102-2020", "reviewed", "--as", "lisi", "--date", "2020-02-10")
    assert refused.returncode == 1 and "sod-role" in refused.stderr


def test_approve_as_fills_name_and_role_from_the_registry(registry):
    result = approve(registry, "0102-2020", "reviewed", "--as", "lisi", "--date", "2020-02-10")
    assert result.returncode == 0, result.stderr
    assert entry(registry, "policies/0102-2020.md", "reviewed") == {
        "person": "lisi", "name": "李四", "role": "业务经理", "date": dt.date(2020, 2, 10),
        "fingerprint": entry(registry, "policies/0102-2020.md", "reviewed")["fingerprint"]}
    assert only_unfingerprinted(check(registry))


def test_approve_as_asks_for_the_role_when_two_would_do(registry):
    write(registry, "manual/people.yaml",
          people_yaml(lisi_roles="[{role: 业务经理, from: 2018-06-01}, {role: 业务员, from: 2018-06-01}]"))
    path = registry / "policies/0102-2020.md"
    before = path.read_bytes()
    asked = approve(registry, "0102-2020", "prepared", "--as", "lisi")
    assert asked.returncode == 2 and "--role" in asked.stderr and "业务经理" in asked.stderr
    assert path.read_bytes() == before
    assert approve(registry, "0102-2020", "prepared", "--as", "lisi", "--role", "业务员").returncode == 0
    assert entry(registry, "policies/0102-2020.md", "prepared")["role"] == "业务员"


def test_approve_as_an_unknown_person(registry):
    result = approve(registry, "0102-2020", "reviewed", "--as", "lisl")
    assert result.returncode == 2 and "lisi" in result.stderr and "Traceback" not in result.stderr


def test_sample_people_make_sample_sign_offs(registry):
    edit(registry, "manual/people.yaml", "  - id: lisi\n    name: 李四\n", "  - id: lisi\n    name: 李四\n    sample: true\n")
    assert approve(registry, "0102-2020", "reviewed", "--as", "lisi").returncode == 0
    assert entry(registry, "policies/0102-2020.md", "reviewed")["sample"] is True


# -- segregation of duties ------------------------------------------------------------------------------
def test_segregation_policy(registry):
    edit(registry, DOC, "reviewed: {name: 李四, role: 业务经理, date: 2020-02-10}",
         "reviewed: {name: 张三, role: 业务员, date: 2020-02-10}")
    edit(registry, CONFIG, "signoff_policy:\n  prepared: [业务经理, 业务员]\n  reviewed: [业务经理]",
         "signoff_policy:\n  prepared: [业务经理, 业务员]\n  reviewed: [业务经理, 业务员]")
    assert check(registry) == (1, [("sod-same-person", DOC, 16)])  # default: all different
    for policy in ("prepared-approved", "[[prepared, approved]]", "[[approved, prepared], [reviewed, approved]]"):
        text = (registry / CONFIG).read_text(encoding="utf-8")
        text = "\n".join(line for line in text.splitlines() if not line.startswith("segregation:")) + "\n"
        (registry / CONFIG).write_text(text.replace("signoff_policy:", f"segregation: {policy}\nsignoff_policy:"),
                                       encoding="utf-8")
        assert check(registry) == (0, []), policy
    # the same person, by id on one step and by name on the other, is still one person
    edit(registry, DOC, "approved: {name: 王五,", "approved: {person: zhangsan,")
    edit(registry, "manual/people.yaml", "roles: [{role: 业务员, from: 2019-01-01}]",
         "roles: [{role: 业务员, from: 2019-01-01}, {role: 总经理, from: 2019-01-01}]")
    assert check(registry) == (1, [("sod-same-person", DOC, 17)])


# -- the manual's own sign-off -------------------------------------------------------------------------
def test_an_empty_cover_sign_off_fails_strict(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    text = (root / CONFIG).read_text(encoding="utf-8")
    (root / CONFIG).write_text(text[:text.index("signoff:")], encoding="utf-8")
    assert check(root) == (0, [("signoff-manual", CONFIG, 5)])
    assert check(root, "--strict")[0] == 1


def test_the_cover_approval_covers_the_configuration_and_the_chapter_list(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    before = (root / CONFIG).read_text(encoding="utf-8").splitlines()
    for step in ("prepared", "reviewed", "approved"):
        name = {"prepared": "张三", "reviewed": "李四", "approved": "王五"}[step]
        result = approve(root, "manual", step, "--name", name, "--date", COVER_DATES[step])
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"{CONFIG}:")
    after = (root / CONFIG).read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)  # only the cover's three lines changed; comments and the rest as they were
    assert [n for n, (a, b) in enumerate(zip(before, after), 1) if a != b] == [29, 30, 31]
    assert after[27] == before[27] and "# 手册本身（封面）的编制/审核/批准" in after[27]
    cover = yaml.safe_load((root / CONFIG).read_text(encoding="utf-8"))["signoff"]
    first, _ = read_manual(root)
    assert {e["fingerprint"] for e in cover.values()} == {manual_fingerprint(first)}
    # a draft added to the chapter list (manual new) does not undo the approval …
    new = run_cli("new", "policy", "--title", "新制度", "--root", root, env=ENV)
    assert new.returncode == 0, new.stderr
    assert not [f for f in check(root)[1] if f[0] == "approval-stale"]
    # … but the document coming into force does, and so does any change of the configuration
    drafted, _ = read_manual(root)
    assert manual_fingerprint(drafted) == manual_fingerprint(first)
    drafted.documents[-1].status = "effective"
    assert manual_fingerprint(drafted) != manual_fingerprint(first)
    edit(root, CONFIG, "default_months: 120", "default_months: 60")
    code, found = check(root)
    assert code == 1 and sorted(f for f in found if f[0] == "approval-stale") == [
        ("approval-stale", CONFIG, line_of(root, CONFIG, f"  {step}: {{")) for step in ("prepared", "reviewed", "approved")]


def test_the_cover_follows_the_policy(registry):
    before = (registry / CONFIG).read_bytes()
    refused = approve(registry, "manual", "approved", "--as", "zhangsan", "--role", "总经理")
    assert refused.returncode == 1 and "sod-same-person" in refused.stderr
    refused = approve(registry, "manual", "approved", "--as", "lisi")
    assert refused.returncode == 1 and "sod-role" in refused.stderr
    assert (registry / CONFIG).read_bytes() == before


# -- signed approvals ------------------------------------------------------------------------------------
def sign_everything(root, signers, env_key=False):
    for key in ("0101-2020", "visit-record"):
        for step, person in IDS.items():
            _, p12 = signers[person]
            how = {"env": {"MANUAL_SIGN_KEY": str(p12), "MANUAL_SIGN_PASSWORD": PASSWORD}} if env_key else \
                {"env": {"MANUAL_SIGN_PASSWORD": PASSWORD}}
            extra = () if env_key else ("--key", p12)
            result = approve(root, key, step, "--as", person, "--date", DATES[step], *extra, **how)
            assert result.returncode == 0, result.stdout + result.stderr
    result = approve(root, "0102-2020", "prepared", "--as", "zhangsan", "--date", DATES["prepared"], "--key",
                     signers["zhangsan"][1], env={"MANUAL_SIGN_PASSWORD": PASSWORD})  # the draft's one step
    assert result.returncode == 0, result.stdout + result.stderr
    for step, person in IDS.items():
        _, p12 = signers[person]
        result = approve(root, "manual", step, "--as", person, "--date", COVER_DATES[step], "--key", p12,
                         env={"MANUAL_SIGN_PASSWORD": PASSWORD})
        assert result.returncode == 0, result.stdout + result.stderr


def test_signed_approvals_round_trip(signing, signers):
    root = signing
    code, found = check(root)
    assert code == 1 and {f[0] for f in found} == {"signature-missing"}
    sign_everything(root, signers)
    assert check(root, "--strict") == (0, [])
    # what was written verifies against the certificate, outside the generator's own rule too
    written = entry(root, DOC, "approved")
    assert written["person"] == "wangwu" and written["name"] == "王五"
    record = approval_record("0101-2020", "1.0", written["fingerprint"], "approved", dt.date(2020, 2, 20), "wangwu",
                             "总经理")
    certificate = load_certificate(signers["wangwu"][0].certificate_pem)
    assert verify_signature(certificate, record, written["signature"])
    # and with the signer's own public key, straight through cryptography (raises if it does not verify)
    signers["wangwu"][0].key.public_key().verify(base64.b64decode(written["signature"]), record,
                                                 ec.ECDSA(hashes.SHA256()))
    assert entry(root, CONFIG, "approved")["signature"]


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_other_key_types(registry, tmp_path, kind):
    signer = make_signer("王五", kind)
    write(registry, "manual/certs/wangwu.pem", signer.certificate_pem.decode("ascii"))
    write(registry, "manual/people.yaml", people_yaml({"wangwu": "manual/certs/wangwu.pem"}))
    p12 = tmp_path / "w.p12"
    p12.write_bytes(signer.p12)
    result = approve(registry, "0101-2020", "approved", "--as", "wangwu", "--date", "2020-02-20",
                     env={"MANUAL_SIGN_KEY": str(p12), "MANUAL_SIGN_PASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr
    assert only_unfingerprinted(check(registry))


TAMPERING = [
    ("the date", "date: 2020-02-20,", "date: 2020-02-19,"),
    ("the role", "role: 总经理, date: 2020-02-20", "role: 业务经理, date: 2020-02-20"),
    ("the version", 'version: "1.0"', 'version: "1.1"'),
]


@pytest.mark.parametrize("what,old,new", TAMPERING, ids=[t[0] for t in TAMPERING])
def test_a_changed_record_fails(signing, signers, what, old, new):
    root = signing
    sign_everything(root, signers)
    edit(root, DOC, old, new)
    code, found = check(root)
    assert code == 1 and ("signature-invalid", DOC, line_of(root, DOC, "  approved: ")) in found, (what, found)


def test_a_signature_by_someone_elses_key_fails(signing, signers):
    root = signing
    sign_everything(root, signers)
    # 李四 signs 王五's approval record with his own key and puts it in 王五's entry
    written = entry(root, DOC, "approved")
    record = approval_record("0101-2020", "1.0", written["fingerprint"], "approved", dt.date(2020, 2, 20), "wangwu",
                             "总经理")
    from generator.authoring.approve import sign_record
    forged = sign_record(signers["lisi"][0].key, record)
    edit(root, DOC, written["signature"], forged)
    assert check(root) == (1, [("signature-invalid", DOC, line_of(root, DOC, "  approved: "))])


def test_approve_refuses_a_key_that_is_not_the_signers(signing, signers):
    root = signing
    before = (root / DOC).read_bytes()
    result = approve(root, "0101-2020", "prepared", "--as", "zhangsan", "--key", signers["lisi"][1],
                     env={"MANUAL_SIGN_PASSWORD": PASSWORD})
    assert result.returncode == 2 and "zhangsan.pem" in result.stderr and "Traceback" not in result.stderr
    assert (root / DOC).read_bytes() == before


def test_key_and_password_problems_are_usage_errors(signing, signers):
    root = signing
    before = (root / DOC).read_bytes()
    no_key = approve(root, "0101-2020", "prepared", "--as", "zhangsan")
    assert no_key.returncode == 2 and "MANUAL_SIGN_KEY" in no_key.stderr
    wrong = approve(root, "0101-2020", "prepared", "--as", "zhangsan", "--key", signers["zhangsan"][1],
                    env={"MANUAL_SIGN_PASSWORD": "not-the-password"})
    assert wrong.returncode == 2 and "PKCS#12" in wrong.stderr
    assert "not-the-password" not in wrong.stdout + wrong.stderr  # never logged
    no_password = approve(root, "0101-2020", "prepared", "--as", "zhangsan", "--key", signers["zhangsan"][1])
    assert no_password.returncode == 2 and "MANUAL_SIGN_PASSWORD" in no_password.stderr
    for result in (no_key, wrong, no_password):
        assert "Traceback" not in result.stderr
    assert (root / DOC).read_bytes() == before


def test_a_certificate_with_a_private_key_is_refused(registry, signers):
    from cryptography.hazmat.primitives import serialization
    signer, _ = signers["wangwu"]
    private = signer.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    write(registry, "manual/certs/wangwu.pem", (signer.certificate_pem + private).decode("ascii"))
    write(registry, "manual/people.yaml", people_yaml({"wangwu": "manual/certs/wangwu.pem"}))
    assert check(registry) == (1, [("person-certificate", "manual/people.yaml", 10)])


def test_a_certificate_outside_the_manual_is_not_read(registry, signers, tmp_path):
    outside = tmp_path / "elsewhere.pem"
    outside.write_bytes(signers["wangwu"][0].certificate_pem)
    (registry / "manual" / "certs").mkdir()
    (registry / "manual" / "certs" / "wangwu.pem").symlink_to(outside)
    write(registry, "manual/people.yaml", people_yaml({"wangwu": "manual/certs/wangwu.pem"}))
    assert check(registry) == (1, [("person-certificate", "manual/people.yaml", 10)])
    write(registry, "manual/people.yaml", people_yaml({"wangwu": "../elsewhere.pem"}))
    assert check(registry) == (1, [("person-certificate", "manual/people.yaml", 10)])


@pytest.mark.parametrize("text", ["people: 3\n", "- zhangsan\n", "people: [\n"])
def test_a_broken_registry_is_its_own_finding_not_a_cascade(registry, text):
    """A registry that cannot be read is one finding at it, not one per sign-off it would have named."""
    from generator.rules.check import check as check_in_process
    write(registry, "manual/people.yaml", text)
    _, findings = check_in_process(registry)
    assert len(findings) == 1 and findings[0].path == "manual/people.yaml", [(f.rule, f.path) for f in findings]
