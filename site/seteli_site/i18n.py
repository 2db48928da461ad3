"""The site's words in Finnish, Swedish and English, and how money and dates are written.

Plain language: the reader may be 80 years old, or choosing for a parent. Finnish first.
Money: fi/sv "32,50 €" (no-break space), en "€32.50". Dates: fi/sv "3.11.2026", en "2026-11-03".
Messages with a count have a ``_one`` form for 1. ``{n}``, ``{date}`` etc. are filled with
``str.format``. The JavaScript gets the messages it needs in the page's configuration.
"""

from __future__ import annotations

from datetime import date, datetime

from seteli.clock import HELSINKI

NBSP = "\u00a0"
LANGS = ("fi", "sv", "en")  # every language a text may have (seteli.domain.tenant.LANGUAGES)

LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}

MESSAGES: dict[str, dict[str, str]] = {
    "fi": {
        "site_title": "Palvelusetelit",
        "skip": "Siirry sisältöön",
        "languages_label": "Kieli – Språk – Language",
        "home": "Etusivu",
        "breadcrumb": "Olet tässä",
        "front_h1": "Valitse palveluntuottaja palvelusetelillä",
        "front_intro": (
            "Palvelusetelillä voit ostaa palvelun yritykseltä, jonka kunta on hyväksynyt. Kunta maksaa "
            "setelin arvon. Jos palvelu maksaa enemmän, maksat erotuksen itse: se on omavastuusi."
        ),
        "front_choose": (
            "Valitse palvelu. Näet yritykset kartalla ja listassa, niiden hinnat, omavastuusi, milloin "
            "palvelun voi aloittaa ja mitä asiakkaat ovat niistä kertoneet."
        ),
        "services_h": "Palvelut",
        "providers_n": "{n} palveluntuottajaa",
        "providers_n_one": "1 palveluntuottaja",
        "providers_none": "Ei vielä palveluntuottajia",
        "sites_n": "{n} toimipaikkaa",
        "sites_n_one": "1 toimipaikka",
        "calc_h": "Laske omavastuusi",
        "calc_intro": "Omavastuu on se osa hinnasta, jonka maksat itse: hinta miinus palvelusetelin arvo.",
        "content_label": "Palvelu",
        "value_label": "Palvelusetelisi arvo euroina",
        "value_hint": "Arvo lukee palvelusetelipäätöksessäsi. Kirjoita esimerkiksi 32,50.",
        "value_invalid": "Kirjoita arvo numeroina, esimerkiksi 32,50.",
        "preset_label": "Tai valitse kunnan setelin arvoista",
        "preset_none": "– valitse –",
        "filters_h": "Rajaa listaa",
        "area_label": "Alue",
        "area_all": "Kaikki alueet",
        "sort_label": "Järjestys",
        "sort_name": "Nimen mukaan",
        "sort_price": "Hinta, halvin ensin",
        "sort_own_share": "Omavastuu, pienin ensin",
        "sort_availability": "Aloitus, nopein ensin",
        "sort_quality": "Palaute, paras ensin",
        "map_h": "Kartta",
        "map_label": "Kartta toimipaikoista",
        "map_hint": (
            "Numero kartalla kertoo, montako toimipaikkaa alueella on: valitse se, niin kartta suurenee. "
            "Samat tiedot ovat myös listassa kartan alla."
        ),
        "map_nojs": "Kartta tarvitsee JavaScriptin. Lista alla toimii ilman sitä.",
        "results_h": "Palveluntuottajat ja hinnat",
        "results_intro_nojs": "Lista on nimen mukaan aakkosjärjestyksessä.",
        "own_share_with": "Omavastuu on laskettu setelin arvolla {value}.",
        "own_share_unknown": "Anna setelin arvo laskuriin, niin näet omavastuun.",
        "show_more": "Näytä lisää",
        "no_results": "Valinnoillasi ei löytynyt yhtään toimipaikkaa. Poista joitakin rajauksia.",
        "no_providers": "Tähän palveluun ei ole vielä hyväksyttyjä palveluntuottajia.",
        "price": "Hinta",
        "own_share": "Omavastuu",
        "availability": "Aloitus",
        "quality": "Palaute 12 kk",
        "no_price": "ei hintaa",
        "give_value": "anna setelin arvo",
        "per_unit": "{price} / {unit}",
        "unit_day": "vuorokausi",
        "unit_hour": "tunti",
        "unit_month": "kuukausi",
        "unit_piece": "kerta",
        "unit_m2_month": "m² kuukaudessa",
        "avail_now": "Voi aloittaa heti",
        "avail_days": "Voi aloittaa {n} päivän kuluessa",
        "avail_days_one": "Voi aloittaa 1 päivän kuluessa",
        "avail_queue": "Ei vapaita paikkoja",
        "avail_unknown": "Ei tietoa vapaista paikoista",
        "free_places": "{n} vapaata paikkaa",
        "free_places_one": "1 vapaa paikka",
        "updated": "päivitetty {date}",
        "stale": "ei päivitetty äskettäin, viimeksi {date}",
        "thanks_n": "{n} kiitosta",
        "thanks_n_one": "1 kiitos",
        "complaints_n": "{n} moitetta",
        "complaints_n_one": "1 moite",
        "reclamations_n": "{n} reklamaatiota",
        "reclamations_n_one": "1 reklamaatio",
        "answered_pct": "vastattu {pct} %",
        "no_feedback": "ei palautetta",
        "quality_explain": (
            "Palaute on varmennettua: sitä voivat antaa vain palveluntuottajan omat asiakkaat "
            "tunnistauduttuaan. Luvut ovat viimeisen 12 kuukauden ajalta."
        ),
        "answered_explain": (
            "Vastattu kertoo, kuinka suureen osaan vastausta vaatineista palautteista "
            "(reklamaatiot ja palautteet, joihin pyydettiin vastausta) palveluntuottaja on vastannut."
        ),
        "pagination": "Listan sivut",
        "page_n": "Sivu {n}",
        "page_of": "sivu {n} / {total}",
        "prev": "Edellinen sivu",
        "next": "Seuraava sivu",
        "back_to_compare": "Laskuri, kartta ja rajaukset",
        "business_id": "Y-tunnus",
        "contact_h": "Yhteystiedot",
        "contact_person": "Yhteyshenkilö",
        "phone": "Puhelin",
        "email": "Sähköposti",
        "no_contact": "Yhteystietoja ei ole annettu.",
        "sites_h": "Toimipaikat",
        "prices_h": "Hinnat",
        "prices_caption": "{service}: hinnat toimipaikoittain",
        "site_col": "Toimipaikka",
        "prices_from": "Hinnat ovat voimassa {date} alkaen.",
        "next_prices": "Uudet hinnat tulevat voimaan {date}.",
        "see_comparison": "Vertaa muihin: {service}",
        "quality_h": "Asiakaspalaute",
        "quality_caption": "Varmennettu palaute {since}–{until}",
        "service_col": "Palvelu",
        "all_services": "Kaikki palvelut",
        "thanks": "Kiitokset",
        "complaints": "Moitteet",
        "reclamations": "Reklamaatiot",
        "answered": "Vastattu",
        "nothing_to_answer": "ei vastattavaa",
        "search_attributes": "Lisätiedot",
        "areas": "Toiminta-alue",
        "generated": "Tiedot päivitetty {at}.",
        "open_data": "Avoin data (JSON)",
        "schema": "Tietojen kuvaus (JSON Schema)",
        "popup_link": "Katso tiedot",
        "cluster_title": "{n} toimipaikkaa, suurenna",
        "not_on_map": "ei kartalla",
        "loading_failed": "Tietojen lataaminen ei onnistunut. Alla on lista ilman laskuria.",
    },
    "sv": {
        "site_title": "Servicesedlar",
        "skip": "Hoppa till innehållet",
        "languages_label": "Kieli – Språk – Language",
        "home": "Startsida",
        "breadcrumb": "Du är här",
        "front_h1": "Välj en serviceproducent med servicesedel",
        "front_intro": (
            "Med en servicesedel kan du köpa tjänsten av ett företag som kommunen har godkänt. Kommunen "
            "betalar sedelns värde. Om tjänsten kostar mer betalar du skillnaden själv: det är din "
            "självriskandel."
        ),
        "front_choose": (
            "Välj en tjänst. Du ser företagen på kartan och i listan, deras priser, din självriskandel, "
            "när tjänsten kan börja och vad kunderna har sagt om dem."
        ),
        "services_h": "Tjänster",
        "providers_n": "{n} serviceproducenter",
        "providers_n_one": "1 serviceproducent",
        "providers_none": "Inga serviceproducenter ännu",
        "sites_n": "{n} verksamhetsställen",
        "sites_n_one": "1 verksamhetsställe",
        "calc_h": "Räkna ut din självriskandel",
        "calc_intro": "Självriskandelen är den del av priset som du betalar själv: priset minus servicesedelns värde.",
        "content_label": "Tjänst",
        "value_label": "Värdet på din servicesedel i euro",
        "value_hint": "Värdet står i ditt beslut om servicesedel. Skriv till exempel 32,50.",
        "value_invalid": "Skriv värdet med siffror, till exempel 32,50.",
        "preset_label": "Eller välj bland kommunens sedelvärden",
        "preset_none": "– välj –",
        "filters_h": "Avgränsa listan",
        "area_label": "Område",
        "area_all": "Alla områden",
        "sort_label": "Ordning",
        "sort_name": "Efter namn",
        "sort_price": "Pris, lägsta först",
        "sort_own_share": "Självriskandel, minsta först",
        "sort_availability": "Start, snabbaste först",
        "sort_quality": "Respons, bästa först",
        "map_h": "Karta",
        "map_label": "Karta över verksamhetsställena",
        "map_hint": (
            "Siffran på kartan visar hur många verksamhetsställen det finns i området: välj den så "
            "förstoras kartan. Samma uppgifter finns i listan under kartan."
        ),
        "map_nojs": "Kartan behöver JavaScript. Listan nedan fungerar utan.",
        "results_h": "Serviceproducenter och priser",
        "results_intro_nojs": "Listan är i alfabetisk ordning efter namn.",
        "own_share_with": "Självriskandelen är räknad med sedelvärdet {value}.",
        "own_share_unknown": "Ange sedelns värde i räknaren så ser du självriskandelen.",
        "show_more": "Visa fler",
        "no_results": "Inga verksamhetsställen motsvarar dina val. Ta bort några avgränsningar.",
        "no_providers": "Den här tjänsten har ännu inga godkända serviceproducenter.",
        "price": "Pris",
        "own_share": "Självriskandel",
        "availability": "Start",
        "quality": "Respons 12 mån",
        "no_price": "inget pris",
        "give_value": "ange sedelns värde",
        "per_unit": "{price} / {unit}",
        "unit_day": "dygn",
        "unit_hour": "timme",
        "unit_month": "månad",
        "unit_piece": "gång",
        "unit_m2_month": "m² per månad",
        "avail_now": "Kan börja genast",
        "avail_days": "Kan börja inom {n} dagar",
        "avail_days_one": "Kan börja inom 1 dag",
        "avail_queue": "Inga lediga platser",
        "avail_unknown": "Ingen uppgift om lediga platser",
        "free_places": "{n} lediga platser",
        "free_places_one": "1 ledig plats",
        "updated": "uppdaterad {date}",
        "stale": "inte uppdaterad nyligen, senast {date}",
        "thanks_n": "{n} tack",
        "thanks_n_one": "1 tack",
        "complaints_n": "{n} klagomål",
        "complaints_n_one": "1 klagomål",
        "reclamations_n": "{n} reklamationer",
        "reclamations_n_one": "1 reklamation",
        "answered_pct": "besvarat {pct} %",
        "no_feedback": "ingen respons",
        "quality_explain": (
            "Responsen är verifierad: bara serviceproducentens egna kunder kan ge den efter att ha "
            "identifierat sig. Siffrorna gäller de senaste 12 månaderna."
        ),
        "answered_explain": (
            "Besvarat visar hur stor del av den respons som krävde svar (reklamationer och respons där "
            "man bad om svar) serviceproducenten har besvarat."
        ),
        "pagination": "Listans sidor",
        "page_n": "Sida {n}",
        "page_of": "sida {n} / {total}",
        "prev": "Föregående sida",
        "next": "Nästa sida",
        "back_to_compare": "Räknare, karta och avgränsningar",
        "business_id": "FO-nummer",
        "contact_h": "Kontaktuppgifter",
        "contact_person": "Kontaktperson",
        "phone": "Telefon",
        "email": "E-post",
        "no_contact": "Inga kontaktuppgifter har getts.",
        "sites_h": "Verksamhetsställen",
        "prices_h": "Priser",
        "prices_caption": "{service}: priser per verksamhetsställe",
        "site_col": "Verksamhetsställe",
        "prices_from": "Priserna gäller från {date}.",
        "next_prices": "Nya priser gäller från {date}.",
        "see_comparison": "Jämför med andra: {service}",
        "quality_h": "Kundrespons",
        "quality_caption": "Verifierad respons {since}–{until}",
        "service_col": "Tjänst",
        "all_services": "Alla tjänster",
        "thanks": "Tack",
        "complaints": "Klagomål",
        "reclamations": "Reklamationer",
        "answered": "Besvarat",
        "nothing_to_answer": "inget att besvara",
        "search_attributes": "Mer information",
        "areas": "Verksamhetsområde",
        "generated": "Uppgifterna uppdaterade {at}.",
        "open_data": "Öppna data (JSON)",
        "schema": "Databeskrivning (JSON Schema)",
        "popup_link": "Se uppgifterna",
        "cluster_title": "{n} verksamhetsställen, förstora",
        "not_on_map": "inte på kartan",
        "loading_failed": "Det gick inte att läsa in uppgifterna. Nedan finns listan utan räknare.",
    },
    "en": {
        "site_title": "Service vouchers",
        "skip": "Skip to content",
        "languages_label": "Kieli – Språk – Language",
        "home": "Home",
        "breadcrumb": "You are here",
        "front_h1": "Choose a provider for your service voucher",
        "front_intro": (
            "With a service voucher you can buy the service from a company the municipality has "
            "approved. The municipality pays the voucher's value. If the service costs more, you pay "
            "the difference yourself: that is your own share."
        ),
        "front_choose": (
            "Choose a service. You will see the companies on a map and in a list, their prices, your "
            "own share, how soon the service can start and what customers have said about them."
        ),
        "services_h": "Services",
        "providers_n": "{n} providers",
        "providers_n_one": "1 provider",
        "providers_none": "No providers yet",
        "sites_n": "{n} locations",
        "sites_n_one": "1 location",
        "calc_h": "Work out your own share",
        "calc_intro": "Your own share is the part of the price you pay yourself: the price minus the voucher's value.",
        "content_label": "Service",
        "value_label": "Your voucher's value in euros",
        "value_hint": "The value is in your voucher decision. Write for example 32.50.",
        "value_invalid": "Write the value in numbers, for example 32.50.",
        "preset_label": "Or pick one of the municipality's voucher values",
        "preset_none": "– pick –",
        "filters_h": "Narrow the list",
        "area_label": "Area",
        "area_all": "All areas",
        "sort_label": "Order",
        "sort_name": "By name",
        "sort_price": "Price, lowest first",
        "sort_own_share": "Own share, lowest first",
        "sort_availability": "Start, soonest first",
        "sort_quality": "Feedback, best first",
        "map_h": "Map",
        "map_label": "Map of the locations",
        "map_hint": (
            "A number on the map tells how many locations are in that area: choose it to zoom in. "
            "The same information is in the list below the map."
        ),
        "map_nojs": "The map needs JavaScript. The list below works without it.",
        "results_h": "Providers and prices",
        "results_intro_nojs": "The list is in alphabetical order by name.",
        "own_share_with": "Own share worked out with the voucher value {value}.",
        "own_share_unknown": "Enter your voucher's value in the calculator to see your own share.",
        "show_more": "Show more",
        "no_results": "No location matches your choices. Remove some of them.",
        "no_providers": "This service has no approved providers yet.",
        "price": "Price",
        "own_share": "Own share",
        "availability": "Start",
        "quality": "Feedback 12 mo.",
        "no_price": "no price",
        "give_value": "enter the voucher value",
        "per_unit": "{price} per {unit}",
        "unit_day": "day",
        "unit_hour": "hour",
        "unit_month": "month",
        "unit_piece": "visit",
        "unit_m2_month": "m² a month",
        "avail_now": "Can start at once",
        "avail_days": "Can start within {n} days",
        "avail_days_one": "Can start within 1 day",
        "avail_queue": "No free places",
        "avail_unknown": "No information on free places",
        "free_places": "{n} free places",
        "free_places_one": "1 free place",
        "updated": "updated {date}",
        "stale": "not updated recently, last {date}",
        "thanks_n": "{n} thanks",
        "thanks_n_one": "1 thanks",
        "complaints_n": "{n} complaints",
        "complaints_n_one": "1 complaint",
        "reclamations_n": "{n} formal complaints",
        "reclamations_n_one": "1 formal complaint",
        "answered_pct": "{pct}% answered",
        "no_feedback": "no feedback",
        "quality_explain": (
            "The feedback is verified: only the provider's own customers can give it, after signing "
            "in. The figures cover the last 12 months."
        ),
        "answered_explain": (
            "Answered tells what share of the feedback that needed an answer (formal complaints and "
            "feedback that asked for an answer) the provider has answered."
        ),
        "pagination": "Pages of the list",
        "page_n": "Page {n}",
        "page_of": "page {n} of {total}",
        "prev": "Previous page",
        "next": "Next page",
        "back_to_compare": "Calculator, map and filters",
        "business_id": "Business ID",
        "contact_h": "Contact",
        "contact_person": "Contact person",
        "phone": "Phone",
        "email": "Email",
        "no_contact": "No contact details given.",
        "sites_h": "Locations",
        "prices_h": "Prices",
        "prices_caption": "{service}: prices by location",
        "site_col": "Location",
        "prices_from": "Prices valid from {date}.",
        "next_prices": "New prices from {date}.",
        "see_comparison": "Compare with others: {service}",
        "quality_h": "Customer feedback",
        "quality_caption": "Verified feedback {since} to {until}",
        "service_col": "Service",
        "all_services": "All services",
        "thanks": "Thanks",
        "complaints": "Complaints",
        "reclamations": "Formal complaints",
        "answered": "Answered",
        "nothing_to_answer": "nothing to answer",
        "search_attributes": "More details",
        "areas": "Area served",
        "generated": "Data updated {at}.",
        "open_data": "Open data (JSON)",
        "schema": "Data description (JSON Schema)",
        "popup_link": "See details",
        "cluster_title": "{n} locations, zoom in",
        "not_on_map": "not on the map",
        "loading_failed": "The data could not be loaded. Below is the list without the calculator.",
    },
}

# The messages the page's JavaScript uses (sent in its configuration).
JS_MESSAGES = (
    "sites_n",
    "sites_n_one",
    "no_results",
    "no_price",
    "give_value",
    "per_unit",
    "avail_now",
    "avail_days",
    "avail_days_one",
    "avail_queue",
    "avail_unknown",
    "free_places",
    "free_places_one",
    "updated",
    "stale",
    "thanks_n",
    "thanks_n_one",
    "complaints_n",
    "complaints_n_one",
    "reclamations_n",
    "reclamations_n_one",
    "answered_pct",
    "no_feedback",
    "price",
    "own_share",
    "availability",
    "quality",
    "value_invalid",
    "popup_link",
    "cluster_title",
    "loading_failed",
    "show_more",
)


def msg(lang: str, key: str, **kw: object) -> str:
    text = MESSAGES[lang][key]
    return text.format(**kw) if kw else text


def count(lang: str, key: str, n: int) -> str:
    """``key`` with ``{n}``, or its ``_one`` form for 1."""
    if n == 1 and f"{key}_one" in MESSAGES[lang]:
        return MESSAGES[lang][f"{key}_one"]
    return MESSAGES[lang][key].format(n=n)


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.append(digits[-3:])
        digits = digits[:-3]
    out.append(digits)
    return sep.join(reversed(out))


def money(cents: int, lang: str) -> str:
    """fi/sv ``1 234,50 €``, en ``€1,234.50`` (integer cents, never floats)."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    if lang == "en":
        return f"{sign}€{_group(str(euros), ',')}.{rest:02d}"
    return f"{sign}{_group(str(euros), NBSP)},{rest:02d}{NBSP}€"


def day(d: date, lang: str) -> str:
    return d.isoformat() if lang == "en" else f"{d.day}.{d.month}.{d.year}"


def moment(at: datetime, lang: str) -> str:
    """An instant in Helsinki time: fi ``3.11.2026 klo 8.05``, sv ``3.11.2026 kl. 8.05``, en ISO-like."""
    local = at.astimezone(HELSINKI)
    if lang == "en":
        return local.strftime("%Y-%m-%d %H:%M") + " (Finnish time)"
    word = "klo" if lang == "fi" else "kl."
    return f"{day(local.date(), lang)} {word} {local.hour}.{local.minute:02d}"
