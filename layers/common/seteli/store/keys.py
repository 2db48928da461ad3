"""Every key of the single table, in one place (see docs/data-model.md)."""

from __future__ import annotations

TENANT_PK = "TENANT"
TENANT_CONFIG_SK = "CONFIG"


def provider_pk(provider_id: str) -> str:
    return f"PROVIDER#{provider_id}"


PROVIDER_PROFILE_SK = "PROFILE"


def part_sk(part_id: str) -> str:
    return f"PART#{part_id}"


PART_PREFIX = "PART#"


def business_id_gsi1pk(business_id: str) -> str:
    return f"BUSINESSID#{business_id}"


PROVIDERS_GSI2PK = "PROVIDERS"  # all providers of the tenant, sorted by name (municipality list)


# --- issue 3: providers' data, users, keys, attachments, applications, price lists -------------
# Items under the provider's partition (pk = PROVIDER#<provider_id>):
#   PROFILE, PART#<part_id>, SUB#<subcontractor_id>, USER#<cognito sub>, ATTACHMENT#<attachment_id>,
#   PRICELIST#<service_id>#<starts_on>#<price_list_id>, OBLIGATIONS, APPLIES#<service_id>


def subcontractor_sk(subcontractor_id: str) -> str:
    return f"SUB#{subcontractor_id}"


SUBCONTRACTOR_PREFIX = "SUB#"


def user_sk(subject: str) -> str:
    """A provider's user, keyed by the Cognito ``sub`` (GetItem from the caller's own claims)."""
    return f"USER#{subject}"


USER_PREFIX = "USER#"


def user_email_gsi1pk(email: str) -> str:
    """Find a provider user by email (unique per tenant, like the Cognito username)."""
    return f"USEREMAIL#{email.casefold()}"


def attachment_sk(attachment_id: str) -> str:
    return f"ATTACHMENT#{attachment_id}"


ATTACHMENT_PREFIX = "ATTACHMENT#"


def price_list_sk(service_id: str, starts_on: str, price_list_id: str) -> str:
    """All of a provider's lists for one service sort together, by start date."""
    return f"PRICELIST#{service_id}#{starts_on}#{price_list_id}"


def price_list_prefix(service_id: str | None = None) -> str:
    return f"PRICELIST#{service_id}#" if service_id else "PRICELIST#"


def price_list_gsi1pk(price_list_id: str) -> str:
    """Find a price list by its id alone."""
    return f"PRICELISTID#{price_list_id}"


PRICE_LIST_GSI1SK = "PRICELIST"


def price_list_guard_sk(service_id: str, starts_on: str, level: str, part_id: str | None) -> str:
    """One approved list per (service, start date, level/part): the guard sorts beside the lists
    (``APPROVED-...`` never collides with a generated ``pl-...`` id)."""
    slot = "APPROVED-company" if level == "company" else f"APPROVED-part-{part_id}"
    return price_list_sk(service_id, starts_on, slot)


OBLIGATIONS_SK = "OBLIGATIONS"  # the latest obligations check (tilaajavastuu) of the provider


def applies_sk(service_id: str) -> str:
    """Guard item: one application per (provider, service); holds the application id."""
    return f"APPLIES#{service_id}"


APPLIES_PREFIX = "APPLIES#"

# API keys: the authorizer finds a key by its id alone (the id is part of the key the client sends).


def api_key_pk(key_id: str) -> str:
    return f"APIKEY#{key_id}"


API_KEY_SK = "KEY"


def provider_api_keys_gsi1pk(provider_id: str) -> str:
    """A provider's keys (gsi1sk = created_at#key_id)."""
    return f"PROVIDER#{provider_id}#APIKEYS"


# Applications: own partition (the record and its transitions); gsi1 = the provider's applications,
# gsi2 = the municipality's queue by status.


def application_pk(application_id: str) -> str:
    return f"APPLICATION#{application_id}"


APPLICATION_SK = "APPLICATION"


def transition_sk(at_iso: str, seq: int) -> str:
    """Every state change of an application, in order (Query pk, begins_with TRANSITION#)."""
    return f"TRANSITION#{at_iso}#{seq:04d}"


TRANSITION_PREFIX = "TRANSITION#"


def provider_applications_gsi1pk(provider_id: str) -> str:
    return f"PROVIDER#{provider_id}#APPLICATIONS"


def applications_by_status_gsi2pk(status: str) -> str:
    """The municipality's queue: gsi2sk = <service_id>#<submitted or updated at>#<application_id>."""
    return f"APPLICATIONS#{status}"


# Throttling counters (failed guesses, registrations per source): pk THROTTLE#<what>#<who>, sk <window>,
# with ttl so they vanish by themselves.


def throttle_pk(what: str, who: str) -> str:
    return f"THROTTLE#{what}#{who}"


# --- issue 4: customers, entitlements, reservations, citizens ------------------------------------
# A personal identity code is never a key: customers are found by a keyed hash of it (HMAC-SHA256
# with the stack's secret, see seteli.rules.customers.personal_id_hash).


def customer_pk(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


CUSTOMER_PROFILE_SK = "PROFILE"


def personal_id_gsi1pk(personal_id_hash: str) -> str:
    """Find a customer by the keyed hash of the personal identity code (gsi1sk = CUSTOMER)."""
    return f"PIDHASH#{personal_id_hash}"


PERSONAL_ID_GUARD_SK = "GUARD"  # pk PIDHASH#<hash>: makes a personal ID unique among customers


CUSTOMERS_GSI2PK = "CUSTOMERS"  # the municipality's customers by name: gsi2sk = <last#first casefolded>#<id>


def entitlement_pk(decision_number: str) -> str:
    """An entitlement is keyed by its decision number (unique in the tenant)."""
    return f"ENTITLEMENT#{decision_number}"


ENTITLEMENT_SK = "ENTITLEMENT"


def customer_entitlements_gsi1pk(customer_id: str) -> str:
    """A customer's entitlements (gsi1sk = <valid_from>#<decision_number>)."""
    return f"CUSTOMER#{customer_id}#ENTITLEMENTS"


def reservation_sk(provider_id: str) -> str:
    """A provider's reservation of an entitlement (a voucher has one; a balance voucher several)."""
    return f"RESERVATION#{provider_id}"


RESERVATION_PREFIX = "RESERVATION#"


def provider_reservations_gsi1pk(provider_id: str) -> str:
    """A provider's reservations and orders (gsi1sk = <reserved_at>#<decision_number>)."""
    return f"PROVIDER#{provider_id}#RESERVATIONS"


def provider_customer_sk(customer_id: str) -> str:
    """Under PROVIDER#<id>: the provider's relation to a customer (why it may see the customer, its
    own customer number, the names it searches by)."""
    return f"CUSTOMER#{customer_id}"


PROVIDER_CUSTOMER_PREFIX = "CUSTOMER#"


def citizen_pk(subject: str) -> str:
    """A signed-in citizen (Cognito sub): the customer they are (sk SELF) and act for (sk PROXY#...)."""
    return f"CITIZEN#{subject}"


CITIZEN_SELF_SK = "SELF"


def citizen_proxy_sk(customer_id: str) -> str:
    return f"PROXY#{customer_id}"


PROXY_PREFIX = "PROXY#"


# --- issue 5: service events, interruptions, credits, feedback ------------------------------------
# An entitlement's events and interruptions live in its partition (pk ENTITLEMENT#<decision number>),
# sorted by date, so that the overlap, "a day is never paid twice" and overrun checks read them with
# one strongly consistent Query. Every write of a record also bumps the entitlement's LEDGER item
# (conditioned on the version read): two writes to one customer's days cannot both pass the checks.


def event_sk(first_day: str, event_id: str) -> str:
    return f"EVENT#{first_day}#{event_id}"


EVENT_PREFIX = "EVENT#"


def interruption_sk(departure_day: str, interruption_id: str) -> str:
    return f"INTERRUPTION#{departure_day}#{interruption_id}"


INTERRUPTION_PREFIX = "INTERRUPTION#"

LEDGER_SK = "LEDGER"  # under ENTITLEMENT#<dn>: the optimistic lock of the entitlement's records


def record_pointer_pk(record_id: str) -> str:
    """Find an event or interruption by its id alone (GetItem): holds its decision number and sk."""
    return f"RECORD#{record_id}"


RECORD_POINTER_SK = "POINTER"


def provider_events_gsi1pk(provider_id: str, month: str) -> str:
    """A provider's events of one month (gsi1sk = <first_day>#<event_id>): lists, bulk confirm,
    the monthly settlement."""
    return f"PROVIDER#{provider_id}#EVENTS#{month}"


def provider_interruptions_gsi1pk(provider_id: str) -> str:
    """A provider's interruptions (gsi1sk = <departure_day>#<id>)."""
    return f"PROVIDER#{provider_id}#INTERRUPTIONS"


APPROVALS_GSI2PK = "APPROVALS#PENDING"  # sparse: only events waiting for the municipality (gsi2sk = <first_day>#<id>)


def credit_sk(event_id: str) -> str:
    """Under PROVIDER#<id>: the credit request of one event (one per event: the sk is the guard)."""
    return f"CREDIT#{event_id}"


CREDIT_PREFIX = "CREDIT#"


def credits_gsi1pk(month: str) -> str:
    """Credits to deduct in the settlement of ``month`` (gsi1sk = <provider_id>#<event_id>)."""
    return f"CREDITS#{month}"


def feedback_pk(feedback_id: str) -> str:
    return f"FEEDBACK#{feedback_id}"


FEEDBACK_SK = "FEEDBACK"


def provider_feedback_gsi1pk(provider_id: str) -> str:
    """A provider's feedback, newest last (gsi1sk = <created_at>#<feedback_id>)."""
    return f"PROVIDER#{provider_id}#FEEDBACK"


FEEDBACK_GSI2PK = "FEEDBACK"  # the municipality reads all feedback (gsi2sk = <created_at>#<feedback_id>)


def customer_feedback_sk(created_at: str, feedback_id: str) -> str:
    """Under CUSTOMER#<id>: a pointer to feedback given about the customer's services (the citizen's list)."""
    return f"FEEDBACK#{created_at}#{feedback_id}"


# --- issue 6: monthly jobs and settlement ----------------------------------------------------------
# The settlement queue is the sparse gsi2: an event (recorded or approved), a completed interruption
# and an open credit carry gsi2pk UNSETTLED#<provider_id> and gsi2sk <month>#<day>#<id>, where month
# is the settlement month it may first go into (an event's own month, an interruption's settle_in, a
# credit's deduct_in). The run for M Queries gsi2sk < <M + 1>. Settling moves an item to gsi2pk
# SETTLEMENT#<statement id>: the statement's lines are then one Query, and it is out of the queue.


def unsettled_gsi2pk(provider_id: str) -> str:
    return f"UNSETTLED#{provider_id}"


def settlement_gsi2pk(statement_id: str) -> str:
    return f"SETTLEMENT#{statement_id}"


def queue_gsi2sk(month: str, day: str, record_id: str) -> str:
    return f"{month}#{day}#{record_id}"


def statement_sk(service_id: str, month: str) -> str:
    """Under PROVIDER#<id>: the provider's statement of one service in the run of one month; the
    latest earlier one of the service (for the carry) is a Query begins_with STATEMENT#<service>#."""
    return f"STATEMENT#{service_id}#{month}"


def statement_prefix(service_id: str) -> str:
    return f"STATEMENT#{service_id}#"


def statements_gsi1pk(month: str) -> str:
    """Every statement of one month's run (gsi1sk = <provider_id>#<service_id>): the finance file."""
    return f"STATEMENTS#{month}"


def invoice_reference_gsi2pk(reference: str) -> str:
    """A statement found by its invoice reference (provider-invoice mode: the matching check)."""
    return f"INVOICEREF#{reference}"


def job_run_pk(run_id: str) -> str:
    """A job run (sk RUN) and its pages (sk PAGE#<n>): GetItem and one Query."""
    return f"JOBRUN#{run_id}"


JOB_RUN_SK = "RUN"
JOB_PAGE_PREFIX = "PAGE#"


def job_page_sk(page: int) -> str:
    return f"PAGE#{page:06d}"


def reminder_sk(run_id: str) -> str:
    """Under PROVIDER#<id>: the reminder sent in one reminders run (the guard against sending twice)."""
    return f"REMINDER#{run_id}"


# --- issue 7: the public comparison --------------------------------------------------------------
# The read model: one item per service and provider shown (pk COMPARE#<service_id>, sk
# PROVIDER#<provider_id>); the site and GET /v1/public/services/{id}/providers Query it. Its pk is
# outside the stream filters of the site publisher, so writing it triggers nothing.
# A provider's availability per service lives in its partition (AVAILABILITY#<service_id>).
# The site's publish pointer: pk SITE, sk POINTER (which build is live, and its overrides).


def compare_pk(service_id: str) -> str:
    return f"COMPARE#{service_id}"


def compare_sk(provider_id: str) -> str:
    return f"PROVIDER#{provider_id}"


def availability_sk(service_id: str) -> str:
    return f"AVAILABILITY#{service_id}"


AVAILABILITY_PREFIX = "AVAILABILITY#"
SITE_PK = "SITE"
SITE_POINTER_SK = "POINTER"
