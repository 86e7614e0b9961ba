"""The one in-memory model of a manual: typed, plain data.

``generator.model.build`` makes it from what the reader read (``generator.read``),
once, after schema validation; rules (``generator.rules``) and publishers
(``generator.publishers``) only read it.  Every field is typed and has a value
even where the source is wrong (the schema findings say what is wrong): text
is ``""`` when absent, lists are empty, dates ``None``.  ``loc(*path)`` gives
the file and line of any key of the source, for findings.

Nothing here reads files; the queries over the model live beside it
(``citations``, ``org``, ``fingerprint``, ``review``, ``versions``, ``changes``).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..common.findings import Location
from ..read.editions import EditionCheck
from ..read.images import Image  # noqa: F401 - part of the model
from ..read.markdown import Block, ListItem  # noqa: F401 - part of the model
from ..read.yamlsrc import Positions

SIGNOFF_STEPS = ("prepared", "reviewed", "approved")
STATUSES = ("draft", "in_review", "approved", "effective", "superseded")
PLACEHOLDER = "【待填写】"
UNSAFE_IN_FILE_NAME = re.compile(r"[\\/:*?\"<>|\s]")


def file_stem(key: str) -> str:
    """A code or id as a file name: what no file system takes (``/``, ``:``, spaces …) becomes ``_``
    (``XX/QM-01`` → ``XX_QM-01``).  A document's file, its site page and its PDF/DOCX are named so."""
    return UNSAFE_IN_FILE_NAME.sub("_", key)  # marks a value written by ``manual import`` or ``manual init`` that a person must fill in
IN_FORCE = ("approved", "effective")
ALL_DIFFERENT = (("prepared", "reviewed"), ("prepared", "approved"), ("reviewed", "approved"))
SEGREGATION = {"all-different": ALL_DIFFERENT, "prepared-approved": (("prepared", "approved"),)}
COVER_KEY = "manual"  # what ``manual approve`` takes for the manual's own sign-off


@dataclass
class SignOff:
    """One step of 编制 / 审核 / 批准."""

    step: str  # prepared | reviewed | approved
    name: str | None
    role: str | None
    date: dt.date | None
    fingerprint: str | None = None
    sample: bool = False
    version: str | None = None  # 批准: the version approved (``manual approve`` records it; older data has none)
    person: str | None = None  # the signer's id in manual/people.yaml, when written
    signature: str | None = None  # base64 signature of the approval record (``fingerprint.approval_record``)
    written_date: str = ""  # what ``date:`` holds when it is no date (an imported ``2013年 月 日``); "" otherwise


@dataclass
class RoleHeld:
    """A role a person held, from ``start`` to ``end`` (both included; None: open)."""

    index: int  # position in the person's ``roles`` list, for ``loc``
    role: str
    start: dt.date | None = None
    end: dt.date | None = None

    def on(self, date: dt.date) -> bool:
        return (self.start is None or self.start <= date) and (self.end is None or date <= self.end)


@dataclass
class Person:
    """One entry of manual/people.yaml: someone who signs."""

    index: int  # position in the ``people`` list
    id: str
    name: str
    roles: list[RoleHeld] = field(default_factory=list)
    email: str = ""
    phone: str = ""
    certificate: str = ""  # path of the PEM certificate, from the manual's folder ("" when none)
    certificate_pem: bytes | None = None  # its bytes, None when it could not be read
    sample: bool = False

    def roles_on(self, date: dt.date) -> list[str]:
        """The roles held on ``date``, in the file's order, each once."""
        return list(dict.fromkeys(r.role for r in self.roles if r.on(date)))


@dataclass
class Copy:
    """One entry of control/distribution.yaml: a controlled copy issued (文件发放/回收登记表)."""

    index: int  # position in the ``copies`` list
    edition: str
    copy: int | None  # the copy number (分发号)
    holder: str  # a person id of manual/people.yaml or a post of manual/roles.yaml
    issued: dt.date | None = None
    recalled: dt.date | None = None  # None: still out
    file: str = ""  # the controlled PDF, from the manual's folder
    sha256: str = ""


@dataclass
class Revision:
    """One entry of a revision history (oldest first)."""

    index: int  # position in the source list, for ``loc("revisions", index)``
    version: str  # as written ("" when absent)
    date: dt.date | None
    summary: str = ""
    by: str = ""
    change_class: str = ""  # ``class:`` substantive | editorial ("" when not written)
    change: str = ""  # ``change:`` the change request it carries out (CR-YYYY-NNN; "" when none)


@dataclass
class ExternalDocument:
    """One entry of control/external.yaml (外来文件清单): a law, standard or specification the manual works under."""

    index: int  # position in the ``external`` list, for ``Manual.external_loc("external", index)``
    title: str
    issuer: str = ""
    number: str = ""
    version: str = ""  # version or year, as written
    applies_to: list[str] = field(default_factory=list)
    url: str = ""
    aliases: list[str] = field(default_factory=list)

    @property
    def titles(self) -> list[str]:
        """Every title a 《》 mention may use for it."""
        return [self.title, *self.aliases]


@dataclass
class ChangeSigner:
    """One signature of a change request: requested, reviewed or approved by."""

    step: str  # requested_by | reviewed_by | approved_by
    person: str = ""  # an id of manual/people.yaml ("" when only a name is written)
    name: str = ""
    date: dt.date | None = None


class _Located:
    """A record read from a source file: ``path`` and ``positions``, and where a key of it stands."""

    def loc(self, *path) -> Location:
        line, col = self.positions.at(path)
        return Location(self.path, line, col)


class _Signed(_Located):
    """A record with a 编制/审核/批准 sign-off (``signoff_steps``): documents, forms, the cover."""

    def signoff(self, step: str) -> SignOff | None:
        return self.signoff_steps.get(step)

    def signoffs(self) -> list[SignOff]:
        return [self.signoff_steps[s] for s in SIGNOFF_STEPS if s in self.signoff_steps]


@dataclass
class ChangeRequest(_Located):
    """A change request (文件更改申请单): control/changes/CR-YYYY-NNN.yaml."""

    path: str
    positions: Positions
    number: str
    documents: list[str] = field(default_factory=list)  # codes (or form ids)
    reason: str = ""
    change_class: str = ""  # substantive | editorial (实质性 / 编辑性 as written are read as these)
    signers: dict[str, ChangeSigner] = field(default_factory=dict)  # step -> signer
    date: dt.date | None = None

    def signer(self, step: str) -> ChangeSigner | None:
        return self.signers.get(step)


@dataclass
class Ack(_Located):
    """One read-and-acknowledge record (阅知记录) of a file of control/acks/: ``person`` has read ``version``
    of the document ``document`` on ``date``."""

    path: str
    positions: Positions
    index: int  # position in the file's ``acks`` list: ``loc("acks", index, "person")``
    person: str
    document: str
    version: str
    date: dt.date | None = None


CHANGE_STEPS = ("requested_by", "reviewed_by", "approved_by")
CHANGE_CLASSES = {"实质性": "substantive", "编辑性": "editorial", "substantive": "substantive",
                  "editorial": "editorial"}


@dataclass
class WorkflowStep:
    index: int
    id: str
    title: str
    role: str
    description: str = ""
    forms: list[str] = field(default_factory=list)


@dataclass
class Job:
    """A job description of a ``jobs:`` document."""

    index: int
    title: str
    covers: list[str] = field(default_factory=list)  # the posts (roles) it describes
    reports_to: str = ""
    note: str = ""
    duties: list[str] = field(default_factory=list)


@dataclass
class Column:
    """A column of a table field: ``id`` is None when the source gives only a label."""

    id: str | None
    label: str
    width: float | None = None


@dataclass
class Field:
    """A field of a form."""

    id: str
    type: str = "text"  # text multiline date number choice multichoice checkbox signature table
    label: str = ""
    required: bool = False
    width: int | None = None  # columns of the 4-column grid
    rows: int | None = None
    options: list[str] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    help: str = ""
    placeholder: str = ""
    path: tuple = ()  # where it stands in the source: ("sections", i, "fields", j) or ("fields", j)


@dataclass
class Section:
    index: int
    title: str
    fields: list[Field] = field(default_factory=list)


@dataclass
class _Item(_Signed):
    """What documents and forms share: a source file with a code, a version and a sign-off."""

    path: str  # relative to the manual's root, with forward slashes
    positions: Positions
    source_sha256: str
    code: str
    title: str
    title_en: str
    version: str
    status: str
    effective: dt.date | None
    owner: str
    signoff_steps: dict[str, SignOff]
    revisions: list[Revision]
    normative: dict  # the content a sign-off approves, as plain data (see ``fingerprint``)
    imported: bool = False  # ``imported: true``: imported from a legacy file, not yet reviewed (``manual import``)
    written_effective: str = ""  # what ``effective:`` holds when it is no date (an imported ``2019年 月 日``); "" otherwise
    # ``retention:`` how long a superseded version is kept: years (int) or a word (永久); None: the manual's default
    retention: int | str | None = None


@dataclass
class Document(_Item):
    """A numbered document: policy, procedure or job description."""

    kind: str = ""  # statement | organisation | procedure | job | policy
    review_months: int | None = None
    last_review: dt.date | None = None
    uses_forms: list[str] = field(default_factory=list)  # form ids
    cited_documents: list[str] = field(default_factory=list)  # references.documents
    cited_roles: list[str] = field(default_factory=list)  # references.roles
    orgchart: bool = False
    staffing: bool = False
    workflow: list[WorkflowStep] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    body: str = ""  # the Markdown after the front matter
    body_line: int = 1  # the file's line where ``body`` starts
    blocks: list[Block] = field(default_factory=list)  # the body, parsed once (``generator.read.markdown``)
    # the body's image references in reading order, each resolved to its file once (``generator.read.images``)
    images: list[Image] = field(default_factory=list)

    def image(self, src: str) -> Image | None:
        """The image the body's reference ``src`` shows, when it can be shown (a file of the manual of a
        supported format within the limits); None otherwise (the outputs print its description)."""
        for image in self.images:
            if image.src == src:
                return image if image.usable else None
        return None

    @property
    def slug(self) -> str:
        return file_stem(self.code) if self.code else Path(self.path).stem

    @property
    def draws_on_org(self) -> bool:
        """Whether it shows data of ``manual/roles.yaml`` (org chart, staffing table, job descriptions)."""
        return bool(self.orgchart or self.staffing or self.jobs)


@dataclass
class Form(_Item):
    """A form template (forms/*.yaml)."""

    id: str = ""
    aliases: list[str] = field(default_factory=list)
    paper: str = ""
    instructions: str = ""
    sections: list[Section] = field(default_factory=list)  # sections, then a last untitled one for ``fields:``

    def fields(self) -> list[Field]:
        """All fields, sections flattened, in order."""
        return [f for section in self.sections for f in section.fields]


@dataclass
class Role:
    id: str
    loc: Location
    index: int = 0  # position in roles.yaml
    en: str = ""
    reports_to: str | None = None
    headcount: int = 0
    external: bool = False
    aliases: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def name_en(self) -> str:
        return self.en


@dataclass
class Chapter:
    index: int
    number: str
    title: str
    documents: list[str] = field(default_factory=list)  # codes, in order


@dataclass
class Term:
    """A ``terminology.forbidden`` entry: a term that must not appear, what to use instead and why."""

    index: int
    term: str
    use: str = ""
    why: str = ""


@dataclass
class CodeScheme:
    pattern: str = ""
    format: str = ""
    year: int | None = None
    example: str = ""
    form_pattern: str = ""


@dataclass
class Cover(_Signed):
    """The manual's own sign-off in manual/manual.yaml, with the queries a document's sign-off has.

    ``code`` is what ``manual approve`` takes for it; ``version`` is the manual's edition.
    """

    path: str
    positions: Positions
    signoff_steps: dict[str, SignOff]
    version: str
    code: str = COVER_KEY
    status: str = "effective"  # in force once any of its documents is; a manual of drafts only is a draft


@dataclass
class Manual:
    root: Path
    # manual/manual.yaml
    company: str = ""
    company_short: str = ""
    company_en: str = ""
    company_others: list[str] = field(default_factory=list)  # ``company.others``: other companies it may name
    department: str = ""
    title: str = ""
    title_en: str = ""
    edition: str = ""
    date: dt.date | None = None
    controlled_copy: str = ""
    uncontrolled_mark: str = ""  # control.uncontrolled_mark: the 非受控 mark of the site's downloads ("" = the catalogue's)
    locale: str = "zh-CN"
    code_scheme: CodeScheme = field(default_factory=CodeScheme)
    chapters: list[Chapter] = field(default_factory=list)
    review_default_months: int | None = None
    review_today: dt.date | None = None
    signoff_policy: dict[str, list[str]] = field(default_factory=dict)  # step -> roles allowed to sign it
    signoff_steps: dict[str, SignOff] = field(default_factory=dict)  # the manual's own 编制/审核/批准
    # pairs of steps that must be signed by different people (``segregation``; default: all different)
    segregation: list[tuple[str, str]] = field(default_factory=lambda: list(ALL_DIFFERENT))
    signatures: str = "optional"  # optional | required: whether unsigned approvals are accepted
    # what the cover's sign-off approves: manual.yaml but its sign-off, sample flag and pinned today (see ``fingerprint``)
    config_normative: dict = field(default_factory=dict)
    sample_names: bool = False
    binding_gutter_mm: float = 0.0  # print: extra inner margin for binding (mirrored margins), 0 = none
    retention: int | str | None = None  # ``retention:`` the default retention of superseded versions (None: not set)
    forbidden_terms: list[Term] = field(default_factory=list)
    config_path: str = "manual/manual.yaml"
    config_positions: Positions = field(default_factory=Positions)
    has_config: bool = False  # manual/manual.yaml was read
    # manual/roles.yaml
    department_head: str | None = None
    authorized_headcount: int | None = None
    org_path: str = "manual/roles.yaml"
    org_positions: Positions = field(default_factory=Positions)
    has_org: bool = False  # manual/roles.yaml was read
    roles: dict[str, Role] = field(default_factory=dict)  # by id, in the file's order (first definition)
    # manual/people.yaml (optional: without it sign-offs name people in free text)
    people_path: str = "manual/people.yaml"
    people_positions: Positions = field(default_factory=Positions)
    has_people: bool = False  # manual/people.yaml was read
    people: dict[str, Person] = field(default_factory=dict)  # by id, in the file's order (first definition)
    # control/distribution.yaml (optional): the controlled copies issued, in the file's order
    distribution_path: str = "control/distribution.yaml"
    distribution_positions: Positions = field(default_factory=Positions)
    copies: list[Copy] = field(default_factory=list)
    # what of roles.yaml a document that draws on it approves, as plain data (see ``fingerprint``)
    org_normative: dict = field(default_factory=lambda: {"authorized_headcount": None, "department_head": None,
                                                         "roles": []})
    # the rest
    documents: list[Document] = field(default_factory=list)  # in the manual's order
    forms: dict[str, Form] = field(default_factory=dict)  # by form id
    # Source files that could not be read (their own findings say why).  Rules that
    # would report a reference to them as unknown stay quiet instead of piling up.
    unreadable: set[str] = field(default_factory=set)
    # Codes and form ids that source files stand for: the names of the files in policies/ and forms/, and
    # what a file that could not be read names on its ``code:`` or ``id:`` line.  A reference to one that no
    # document or form read has is not reported as unknown: that file's own finding says what is wrong.
    claimed_codes: set[str] = field(default_factory=set)
    claimed_forms: set[str] = field(default_factory=set)
    released: dict | None = None  # the latest edition's manifest index (``generator.read.editions.latest_index``)
    # every released edition's files against its manifest (``generator.read.editions.check_editions``)
    editions: list[EditionCheck] = field(default_factory=list)
    # control/external.yaml (optional): the register of external documents
    external_path: str = "control/external.yaml"
    external_positions: Positions = field(default_factory=Positions)
    has_external: bool = False
    externals: list[ExternalDocument] = field(default_factory=list)  # in the file's order
    # control/changes/*.yaml: change requests by number (the first file of a number)
    changes: dict[str, ChangeRequest] = field(default_factory=dict)
    # control/acks/*.yaml: read-and-acknowledge records, files by name, entries in their order
    acks: list[Ack] = field(default_factory=list)

    # -- lookups -----------------------------------------------------------
    def document(self, code: str) -> Document | None:
        index = self.__dict__.get("_by_code")
        if index is None or index[0] is not self.documents:
            by_code: dict[str, Document] = {}
            for doc in self.documents:
                by_code.setdefault(doc.code, doc)
            index = (self.documents, by_code)
            self.__dict__["_by_code"] = index
        return index[1].get(code)

    def stands_for_document(self, code: str) -> bool:
        """Whether a document has ``code``, or a source file stands for it (see ``claimed_codes``)."""
        return self.document(code) is not None or code in self.claimed_codes

    def stands_for_form(self, form_id: str) -> bool:
        """Whether a form has ``form_id``, or a source file stands for it (see ``claimed_forms``)."""
        return form_id in self.forms or form_id in self.claimed_forms

    def signoff(self, step: str) -> SignOff | None:
        return self.signoff_steps.get(step)

    def cover(self) -> "Cover":
        """The manual's own sign-off (the cover's 编制/审核/批准) as a signed item, like a document's."""
        in_force = any(d.status in IN_FORCE for d in self.documents)
        return Cover(self.config_path, self.config_positions, self.signoff_steps, self.edition,
                     status="effective" if in_force else "draft")

    def people_loc(self, *path) -> Location:
        line, col = self.people_positions.at(path)
        return Location(self.people_path, line, col)

    def distribution_loc(self, *path) -> Location:
        line, col = self.distribution_positions.at(path)
        return Location(self.distribution_path, line, col)

    def in_navigation(self) -> list[Document]:
        """Documents shown in navigation and print: all but superseded ones."""
        return [d for d in self.documents if d.status != "superseded"]

    def config_loc(self, *path) -> Location:
        line, col = self.config_positions.at(path)
        return Location(self.config_path, line, col)

    def external_loc(self, *path) -> Location:
        line, col = self.external_positions.at(path)
        return Location(self.external_path, line, col)

    def org_loc(self, *path) -> Location:
        line, col = self.org_positions.at(path)
        return Location(self.org_path, line, col)
