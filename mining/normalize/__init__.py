"""Raw miner output → contact candidates. Stateless: no database, no organizer, no merging across runs.

Structured fields a miner found (contact_name, company_name, job_title, country, city, phone, website)
come first; the text around the email fills what the structure lacks.
"""

from datetime import UTC, datetime

from mining.normalize.companies import (
    clean_company,
    company_from_text,
    domain_names_company,
    normalize_website,
    website_from_email,
)
from mining.normalize.countries import country_from_domain, country_from_phone, country_from_text, to_iso2
from mining.normalize.emails import check_email, email_domain
from mining.normalize.names import is_role_mailbox, name_from_context, name_from_local_part, parse_name
from mining.normalize.positions import clean_position, position_from_text
from persons.candidates import AffiliationData, Candidate

CONTEXT_SNIPPET = 200


def normalize_output(output):
    """A miner output {status, raw: {blocks: [...]}, meta: {...}} → (candidates, rejected emails by reason)."""
    meta = output.get("meta") or {}
    blocks = (output.get("raw") or {}).get("blocks") or []
    return normalize_blocks(blocks, meta)


def normalize_blocks(blocks, meta=None):
    """Blocks → (candidates, rejected emails by reason)."""
    candidates, rejected, _without_email = normalize_blocks_counted(blocks, meta)
    return candidates, rejected


def normalize_blocks_counted(blocks, meta=None):
    """As normalize_blocks, plus the number of blocks none of whose emails was acceptable: every address
    is checked once, here, so callers need not check it again to count what was skipped."""
    meta = meta or {}
    candidates, rejected, without_email = {}, {}, 0
    extracted_at = datetime.now(UTC).isoformat()
    for block in blocks:
        accepted = False
        for raw_email in _block_emails(block):
            email, reason = check_email(raw_email)
            if not email:
                rejected[reason] = rejected.get(reason, 0) + 1
                continue
            accepted = True
            candidate = candidate_from_block(email, block, meta, extracted_at)
            if email in candidates:
                candidates[email].merge(candidate)
            else:
                candidates[email] = candidate
        without_email += not accepted
    return list(candidates.values()), rejected, without_email


def _block_emails(block):
    emails = list(block.get("emails") or [])
    if block.get("email"):
        emails.insert(0, block["email"])
    return emails


def candidate_from_block(email, block, meta, extracted_at=None):
    """One checked address of a block → its candidate. Structured fields first, the context for the rest."""
    context = block.get("context") or ""
    first, last = _person_name(email, block.get("contact_name"), context)
    phone = _clean_phone(block.get("phone"))
    country = (
        to_iso2(block.get("country"))
        or country_from_phone(phone)
        or country_from_phone(context)
        or country_from_text(block.get("address"))
        or country_from_text(context)
        or country_from_domain(email_domain(email))
    )
    company = clean_company(block.get("company_name")) or company_from_text(context)
    if not company and block.get("site_context"):
        company, country = _site_owner(email, block["site_context"], country)
    confidence = block.get("confidence", meta.get("confidence_hint"))
    affiliation = AffiliationData(
        company_name=company,
        position=clean_position(block.get("job_title")) or position_from_text(context),
        country_code=country,
        city=_clean_text(block.get("city"), 255),
        website=normalize_website(block.get("website")) or website_from_email(email),
        phone=phone,
        confidence=_clean_confidence(confidence),
    )
    return Candidate(
        email=email,
        first_name=first,
        last_name=last,
        affiliations=[affiliation],
        extraction_meta={
            "miner_name": block.get("miner_name") or meta.get("miner_name"),
            "source_url": block.get("source_url") or meta.get("source_url"),
            "extracted_at": extracted_at or datetime.now(UTC).isoformat(),
            "context_snippet": " ".join(context.split())[:CONTEXT_SNIPPET] or None,
            **({"mining_job_id": str(block["mining_job_id"])} if block.get("mining_job_id") else {}),
        },
    )


def _site_owner(email, site_context, country):
    """(company, country) of the page's owner when the address is theirs (its domain names the company)."""
    company = company_from_text(site_context)
    if not company or not domain_names_company(email_domain(email), company):
        return None, country
    if not country or country == country_from_domain(email_domain(email)):
        country = country_from_text(site_context) or country_from_phone(site_context) or country
    return company, country


def _person_name(email, contact_name, context):
    """The structured name, else the name beside the address, else `first.last@`; a role mailbox gets none."""
    if is_role_mailbox(email):
        return None, None
    first, last = parse_name(contact_name, allow_single=True)
    if first or last:
        return first, last
    first, last = name_from_context(context, email)
    if first or last:
        return first, last
    return name_from_local_part(email)


def _clean_text(value, limit):
    if not value or not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text[:limit] or None


def _clean_phone(value):
    text = _clean_text(value, 100)
    if not text or sum(map(str.isdigit, text)) < 6:
        return None
    return text.removeprefix("tel:").strip()


def _clean_confidence(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return min(max(number, 0.0), 1.0)
