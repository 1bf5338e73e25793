"""The admin in a real browser: headless Chromium driven by Selenium, used the way staff use it.

Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them). Without them the module is
skipped with a message saying so, except when BROWSER_TESTS_REQUIRED=1 (CI), where that is a failure. A
failing test leaves a screenshot whose path it prints.
"""

import os
import shutil
import tempfile
from datetime import timedelta

import pytest
from django.utils import timezone

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)
WAIT_SECONDS = 10
PASSWORD = "browser-password-42"


def _installed(*names):
    return next((path for path in map(shutil.which, names) if path), None)


@pytest.fixture(scope="module")
def browser():
    chromium = _installed("chromium", "chromium-browser", "google-chrome")
    driver_path = _installed("chromedriver")
    if not (chromium and driver_path):
        message = (
            "No headless browser here: install Debian's chromium and chromium-driver "
            "(apt-get install chromium chromium-driver) to run the admin browser tests."
        )
        if os.environ.get("BROWSER_TESTS_REQUIRED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="liffy-chromium-")
    options = Options()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def screenshot_on_failure(request, browser):
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        path = os.path.join(tempfile.mkdtemp(prefix="liffy-browser-"), f"{request.node.name}.png")
        browser.save_screenshot(path)
        print(f"\nScreenshot of the failure: {path}")


class Admin:
    """The browser on the live server, with the few gestures the tests need."""

    def __init__(self, driver, base_url):
        self.driver, self.base_url = driver, base_url

    def open(self, path):
        self.driver.get(self.base_url + path)

    def find(self, css):
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, WAIT_SECONDS).until(ec.presence_of_element_located(("css selector", css)))

    def text(self, css="body"):
        """The element's text once it is there; read again when the page swapped the element meanwhile."""
        from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def read(driver):
            try:
                return driver.find_element("css selector", css).text
            except StaleElementReferenceException:
                return None
            except WebDriverException as error:  # Chromium's wording of the same race
                if "does not belong to the document" in str(error):
                    return None
                raise

        # a one-tuple, so that an element with empty text still ends the wait (a missing one is waited for)
        return WebDriverWait(self.driver, WAIT_SECONDS).until(
            lambda driver: (text := read(driver)) is not None and (text,)
        )[0]

    def click(self, css):
        """Click something that stays on the page (a checkbox, a select2 box)."""
        self.find(css).click()

    def follow(self, css=None, link_text=None):
        """Click a link or button that loads another page, and wait until it has."""
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        page = self.driver.find_element("tag name", "html")
        target = self.find(css) if css else self.driver.find_element("link text", link_text)
        target.click()
        WebDriverWait(self.driver, WAIT_SECONDS).until(ec.staleness_of(page))

    def log_in(self, email):
        """The real login form: the same path as a person (and any login limiter) takes."""
        self.driver.delete_all_cookies()
        self.open("/admin/login/")
        self.find("#id_username").send_keys(email)
        self.find("#id_password").send_keys(PASSWORD)
        self.follow("input[type=submit]")
        self.find("#user-tools")

    def choose(self, field, typed, option):
        """Pick `option` in the autocomplete of `field` after typing `typed`."""
        from selenium.webdriver.support import expected_conditions as ec
        from selenium.webdriver.support.ui import WebDriverWait

        wait = WebDriverWait(self.driver, WAIT_SECONDS)
        wait.until(ec.element_to_be_clickable(("css selector", f".field-{field} .select2-selection"))).click()
        self.find(".select2-container--open .select2-search__field").send_keys(typed)
        wait.until(ec.text_to_be_present_in_element(("css selector", ".select2-results__options"), option))
        next(
            item
            for item in self.driver.find_elements("css selector", ".select2-results__option")
            if item.text == option
        ).click()

    def messages(self):
        return [item.text for item in self.driver.find_elements("css selector", "ul.messagelist li")]


@pytest.fixture
def admin(browser, live_server):
    return Admin(browser, live_server.url)


@pytest.fixture
def demo(transactional_db):
    """Two organizers' data, a platform staff login and an organizer staff login (read-only support)."""
    from django.contrib.auth.models import Group

    from campaigns.tests.factories import (
        CampaignEventFactory,
        CampaignFactory,
        CampaignRecipientFactory,
        EmailTemplateFactory,
        SenderIdentityFactory,
    )
    from legacy.tests.factories import ListFactory, ListMemberFactory
    from liffy.models import User
    from liffy.tests.factories import OrganizerFactory, UserFactory
    from persons.tests.factories import AffiliationFactory, PersonFactory, ProspectIntentFactory

    acme, globex = OrganizerFactory(name="Acme Events"), OrganizerFactory(name="Globex Fairs")
    User.objects.create_superuser("staff@liffy.test", PASSWORD)
    support = UserFactory(organizer=acme, email="support@acme.test", is_staff=True, password=PASSWORD)
    support.groups.add(Group.objects.get(name="Support (read-only)"))
    maria = PersonFactory(
        organizer=acme, email="maria.rossi@fiera.it", first_name="Maria", last_name="Rossi", verification_status="valid"
    )
    AffiliationFactory(person=maria, company_name="Fiera Milano", position="Head of Sales", country_code="IT")
    PersonFactory(organizer=acme, email="jan.novak@expo.cz", first_name="Jan", last_name="Novák")
    PersonFactory(organizer=globex, email="tom.baker@expo.uk", first_name="Tom", last_name="Baker")
    sent = CampaignFactory(organizer=acme, name="Spring invitation", status="completed")
    recipient = CampaignRecipientFactory(campaign=sent, person=maria, email=maria.email, status="clicked")
    for step, kind in enumerate(("sent", "open", "click")):
        CampaignEventFactory(
            recipient=recipient, person=maria, event_type=kind, occurred_at=timezone.now() - timedelta(hours=3 - step)
        )
    ProspectIntentFactory(person=maria, campaign=sent, intent_type="meeting_booked")
    fair = ListFactory(organizer=acme, name="Fair list")
    ListMemberFactory(list=fair, person=maria)
    CampaignFactory(organizer=acme, name="Autumn draft", list=fair, sender=SenderIdentityFactory(organizer=acme))
    EmailTemplateFactory(organizer=globex, name="Globex invite")
    return {"acme": acme, "globex": globex, "maria": maria}


def test_staff_log_in_search_and_filter_persons(admin, demo):
    admin.log_in("staff@liffy.test")
    assert "Liffy back office" in admin.text("#site-name")
    admin.open("/admin/persons/person/")
    admin.find("#searchbar").send_keys("rossi")
    admin.follow("#changelist-search input[type=submit]")
    rows = admin.text("#result_list")
    assert "maria.rossi@fiera.it" in rows and "Fiera Milano" in rows and "jan.novak" not in rows
    admin.open("/admin/persons/person/")
    admin.follow(link_text="Globex Fairs")  # the organizer filter
    rows = admin.text("#result_list")
    assert "tom.baker@expo.uk" in rows and "maria" not in rows


def test_a_person_page_shows_affiliation_engagement_timeline_and_intents(admin, demo):
    admin.log_in("staff@liffy.test")
    admin.open(f"/admin/persons/person/{demo['maria'].pk}/change/")
    page = admin.text("#content")
    assert "Head of Sales at Fiera Milano" in page
    assert "55 / 100" in page  # opened 5 + clicked 10 + meeting booked 40
    timeline = admin.text("table.timeline")
    assert timeline.index("click") < timeline.index("open") < timeline.index("sent")  # newest first
    assert "meeting_booked" in admin.text("#intents-group")


def test_a_campaign_action_asks_for_confirmation_and_a_refusal_is_shown(admin, demo):
    from selenium.webdriver.support.ui import Select

    def run_on_the_list(action):
        admin.open("/admin/campaigns/campaign/?q=Autumn")
        admin.click("#result_list input.action-select")
        Select(admin.find("select[name=action]")).select_by_visible_text(action)
        admin.follow("button[name=index]")
        assert f"{action}: are you sure?" in admin.text("#content")
        admin.follow(f"input[type=submit][value='Yes, {action.lower()}']")

    admin.log_in("staff@liffy.test")
    run_on_the_list("Resolve into recipients")
    assert "1 campaign resolved." in admin.messages()
    assert "Ready" in admin.text("#result_list")
    run_on_the_list("Pause")
    assert "Autumn draft: A ready campaign cannot be paused." in admin.messages()
    admin.follow(link_text="Autumn draft")
    admin.follow("a.service-action[href$='/do/unresolve/']")  # the page offers what the status allows
    admin.follow("input[type=submit][value='Yes, send back to draft']")
    assert "1 campaign sent back to draft." in admin.messages()
    assert "Draft" in admin.text(".field-status")


def test_an_edit_that_mixes_organizers_is_refused(admin, demo):
    admin.log_in("staff@liffy.test")
    admin.open("/admin/campaigns/campaign/add/")
    admin.choose("organizer", "Acme", "Acme Events")
    admin.find("#id_name").send_keys("Mixed up")
    admin.choose("template", "Globex", "Globex invite")
    admin.follow("input[name=_save]")
    assert "This template belongs to another organizer." in admin.text(".errorlist")
    assert "Please correct the error below." in admin.text("#content")


def test_an_organizer_staff_user_sees_only_their_organizer(admin, demo):
    admin.log_in("support@acme.test")
    admin.open("/admin/persons/person/")
    rows = admin.text("#result_list")
    assert "maria.rossi@fiera.it" in rows and "tom.baker" not in rows
    assert "Globex Fairs" not in admin.text("#content")  # no organizer filter, no organizer column
    foreign = demo["globex"]
    from persons.models import Person

    admin.open(f"/admin/persons/person/{Person.objects.get(organizer=foreign).pk}/change/")
    assert any("doesn’t exist" in line for line in admin.messages())
    assert "tom.baker" not in admin.text("#content")


def test_the_api_docs_render_without_the_internet(admin, demo):
    admin.open("/api/docs/")
    assert "Liffy API" in admin.text(".swagger-ui .info .title")
