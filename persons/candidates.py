"""What every importer hands to the identity layer: a contact candidate and its affiliations."""

from dataclasses import asdict, dataclass, field


@dataclass
class AffiliationData:
    company_name: str | None = None
    position: str | None = None
    country_code: str | None = None
    city: str | None = None
    website: str | None = None
    phone: str | None = None
    confidence: float | None = None

    def merge(self, other):
        """Fill blanks from `other`; keep the greater confidence."""
        for name in ("position", "country_code", "city", "website", "phone"):
            if not getattr(self, name):
                setattr(self, name, getattr(other, name))
        if other.confidence is not None and (self.confidence is None or other.confidence > self.confidence):
            self.confidence = other.confidence


@dataclass
class Candidate:
    email: str
    first_name: str | None = None
    last_name: str | None = None
    affiliations: list = field(default_factory=list)
    extraction_meta: dict = field(default_factory=dict)

    def merge(self, other):
        if not self.first_name and not self.last_name:
            self.first_name, self.last_name = other.first_name, other.last_name
        for affiliation in other.affiliations:
            same = next((a for a in self.affiliations if _same_company(a, affiliation)), None)
            if same:
                same.merge(affiliation)
            else:
                self.affiliations.append(affiliation)

    def as_dict(self):
        return asdict(self)


def _same_company(a, b):
    if a.company_name and b.company_name:
        return a.company_name.casefold() == b.company_name.casefold()
    return (
        not a.company_name
        and not b.company_name
        and (a.position, a.country_code, a.website) == (b.position, b.country_code, b.website)
    )
