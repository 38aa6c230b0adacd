"""Browser tests: the website widget and the ops dashboard in headless Chromium against a real Usher and Redis.

Run by `scripts/browser-tests` (part of `scripts/test`). The dashboard screenshot goes to .ci/artifacts/.
"""
import os
import sys
import time
import unittest

from selenium.webdriver.common.by import By

sys.path.insert(0, os.path.dirname(__file__))
from harness import ROOT, DemoSite, Usher, chromium, wait_for  # noqa: E402

BINARY = os.environ.get("USHER_BINARY", os.path.join(ROOT, ".build", "debug", "usher"))
POLL_SECONDS = 2
ARTIFACTS = os.path.join(ROOT, ".ci", "artifacts")


class WidgetTests(unittest.TestCase):
    def setUp(self):
        self.usher = Usher(BINARY)
        self.addCleanup(self.usher.stop)
        self.browser = chromium()
        self.addCleanup(self.browser.quit)

    def open_demo(self, site, **settings):
        demo = DemoSite(self.usher.base, site)
        self.addCleanup(demo.stop)
        tokens = self.usher.site(site, demo.origin, **settings)
        demo.token = tokens["website"]
        return demo, tokens

    def panel(self):
        found = self.browser.find_elements(By.ID, "usher-panel")
        return found[0] if found else None

    def test_invitation_lifecycle(self):
        demo, tokens = self.open_demo("shop", pollRetrySeconds=POLL_SECONDS, cooldownSeconds=0)

        # No agent: no invitation, and the widget waits as long as Retry-After says between polls.
        self.browser.get(demo.origin + "/")
        watch = 3 * POLL_SECONDS + 1
        time.sleep(watch)
        self.assertIsNone(self.panel(), "an invitation appeared with nobody online")
        polls = self.browser.execute_script("return window.polls")
        self.assertGreaterEqual(len(polls), 2, "the widget did not poll again after the advised wait")
        self.assertLessEqual(len(polls), watch // POLL_SECONDS + 1, f"too many polls for a {POLL_SECONDS}s Retry-After: {polls}")
        gaps = [b - a for a, b in zip(polls, polls[1:])]
        self.assertTrue(all(gap >= POLL_SECONDS * 1000 - 50 for gap in gaps), f"a poll came before Retry-After: {gaps} ms")

        # A hidden tab does not poll, not even when an agent comes online meanwhile.
        self.browser.execute_script("window.setHidden(true)")
        hidden_at = len(self.browser.execute_script("return window.polls"))
        self.usher.presence("shop", "alice", tokens["alice"])
        time.sleep(2 * POLL_SECONDS + 1)
        self.assertEqual(len(self.browser.execute_script("return window.polls")), hidden_at, "a hidden tab polled")
        self.assertIsNone(self.panel())

        # Visible again (its wait long over), it polls at once: the invitation appears within one poll interval.
        self.browser.execute_script("window.setHidden(false)")
        appeared = wait_for(self.panel, POLL_SECONDS * 1.2 + 1.5, message="the invitation")
        self.assertEqual(appeared.get_attribute("role"), "dialog")
        self.assertEqual(appeared.get_attribute("aria-labelledby"), "usher-title")
        accept = self.browser.find_element(By.ID, "usher-accept")
        self.assertTrue(accept.is_displayed() and accept.is_enabled())
        events = self.browser.execute_script("return window.events.map(function (e) { return e.name; })")
        self.assertIn("usher:invite", events)

        # Accept by keyboard: the greeting is shown and the site hears of it.
        accept.send_keys("\n")
        text = wait_for(lambda: self.browser.find_element(By.ID, "usher-first-response").text
                        if self.browser.find_elements(By.ID, "usher-first-response") else None, 5, message="the greeting")
        self.assertIn("An agent is with you now", text)
        events = self.browser.execute_script("return window.events.map(function (e) { return e.name; })")
        self.assertIn("usher:accept", events)
        status, capacity = self.usher.request("GET", "/v1/sites/shop/capacity")
        self.assertEqual(capacity["slots"]["chats"], 1)

        # A second visitor (its own storage, so its own id) while the only slot is taken: no invitation.
        self.browser.execute_script("localStorage.clear()")
        self.browser.get(demo.origin + "/?second")
        second = self.browser.execute_script("return window.Usher && window.Usher.visitor")
        time.sleep(2 * POLL_SECONDS + 1)
        self.assertIsNone(self.panel(), "a second visitor was invited to a slot already taken")
        self.assertGreaterEqual(len(self.browser.execute_script("return window.polls")), 2)
        self.assertTrue(second and second.startswith("v-"))

    def test_decline_by_escape_and_cors(self):
        demo, tokens = self.open_demo("cafe", pollRetrySeconds=POLL_SECONDS, cooldownSeconds=60)
        status, _ = self.usher.request("PUT", "/v1/sites/cafe", {"allowedOrigins": ["https://elsewhere.example"]})
        self.assertEqual(status, 200)
        self.usher.presence("cafe", "alice", tokens["alice"])

        # The demo's origin is not allowed yet: the browser gets no answer it may read, so nothing is shown.
        self.browser.get(demo.origin + "/")
        time.sleep(POLL_SECONDS + 1)
        self.assertIsNone(self.panel(), "a cross-origin answer was readable without the origin being allowed")

        status, _ = self.usher.request("PUT", "/v1/sites/cafe", {"allowedOrigins": [demo.origin]})
        self.assertEqual(status, 200)
        self.browser.get(demo.origin + "/")
        panel = wait_for(self.panel, 5, message="the invitation once the origin is allowed")
        self.assertIsNotNone(panel)
        self.browser.find_element(By.ID, "usher-accept").send_keys("\ue00c")  # Escape dismisses, which declines
        wait_for(lambda: self.panel() is None, 3, message="the invitation to close")
        events = wait_for(lambda: [e for e in self.browser.execute_script("return window.events.map(function (e) { return e.name; })")
                                   if e == "usher:decline"], 3, message="usher:decline")
        self.assertTrue(events)
        wait_for(lambda: self.usher.request("GET", "/v1/sites/cafe/capacity")[1]["counters"]["declined"] == 1, 3, message="the decline")
        status, capacity = self.usher.request("GET", "/v1/sites/cafe/capacity")
        self.assertEqual(capacity["slots"]["held"], 0)
        self.assertEqual(capacity["slots"]["free"], 1)


class DashboardTests(unittest.TestCase):
    def test_live_numbers_and_screenshot(self):
        usher = Usher(BINARY)
        self.addCleanup(usher.stop)
        browser = chromium()
        self.addCleanup(browser.quit)
        tokens = usher.site("desk", "http://127.0.0.1:1")
        usher.presence("desk", "alice", tokens["alice"], max_chats=3)

        browser.get(usher.base + "/dashboard")
        self.assertNotIn(tokens["ops"], browser.current_url)
        browser.find_element(By.ID, "login-site").send_keys("desk")
        browser.find_element(By.ID, "login-token").send_keys(tokens["ops"])
        browser.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()
        wait_for(lambda: browser.find_element(By.ID, "board").is_displayed(), 5, message="the dashboard after login")
        self.assertNotIn(tokens["ops"], browser.current_url)
        self.assertEqual(browser.execute_script("return sessionStorage.getItem('usher.token')"), tokens["ops"])
        text = lambda element: browser.find_element(By.ID, element).text
        wait_for(lambda: text("now-total") == "3", 5, message="3 slots")
        wait_for(lambda: browser.find_element(By.ID, "live").is_displayed(), 5, message="the live badge")

        # Another agent comes online and a chat starts: the live feed shows both within moments.
        usher.presence("desk", "bob", tokens["bob"], max_chats=2)
        wait_for(lambda: text("now-total") == "5", 3, message="5 slots after bob came online")
        status, body = usher.request("POST", "/v1/sites/desk/chats", {"visitor": "v1", "source": "reactive"}, token=tokens["website"])
        self.assertEqual(status, 201, body)
        wait_for(lambda: text("now-chats") == "1", 3, message="1 chat after a chat started")
        self.assertEqual(text("now-free"), "4")
        agents = browser.find_element(By.ID, "agents").text
        self.assertIn("alice (available)", agents)
        self.assertIn("bob (available)", agents)

        # The chart has drawn lines from the live samples.
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#slots-chart path"), 3, message="the slots chart")
        os.makedirs(ARTIFACTS, exist_ok=True)
        path = os.path.join(ARTIFACTS, "dashboard.png")
        browser.set_window_size(1280, 1700)
        time.sleep(0.5)
        self.assertTrue(browser.save_screenshot(path))
        self.assertGreater(os.path.getsize(path), 10_000)

        # A phone-sized window still shows the numbers without sideways scrolling.
        browser.set_window_size(390, 844)
        time.sleep(0.3)
        browser.save_screenshot(os.path.join(ARTIFACTS, "dashboard-phone.png"))
        overflow = browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        self.assertLessEqual(overflow, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
