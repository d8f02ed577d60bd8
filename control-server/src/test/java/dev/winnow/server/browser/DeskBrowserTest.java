package dev.winnow.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.users.Role;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The customer desk in headless Chromium with logins enforced: an agent loads the sample knowledge, a
 * customer asks through the public form without logging in, and the agent finds the question in the inbox
 * with a cited draft. Screenshots go to {@code target/screenshots/desk-*.png}.
 */
class DeskBrowserTest {

    static final String PW = "agent-password-12";
    static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    Path tmp;

    @Test
    void aCustomerAsksThroughTheFormAndTheAgentSeesACitedDraft() throws Exception {
        assumeTrue(Chromium.installed(), "Chromium is not installed at " + Chromium.BINARY);
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp.resolve("data")).withAuthEnforced(true));
             Chromium chromium = Chromium.launch(tmp.resolve("profile"), Path.of("target", "chromium", "desk.log"))) {
            server.controlRoom().auth().users().create("ada", "Ada Agent", Set.of(Role.AGENT), PW);
            final Chromium.Page page = chromium.newPage(1400, 900);

            login(page, server.httpUrl());
            page.waitFor("the nav with the desk marked", "document.querySelector('#nav a.here')?.textContent === 'Desk'");
            page.eval("document.getElementById('b-samples').click()");
            page.waitFor("the sample documents listed", "document.querySelectorAll('#docs li').length >= 4");
            page.eval("document.getElementById('logout').click()");
            page.waitFor("logged out", "location.pathname === '/login'");

            page.navigate(server.httpUrl() + "contact");
            page.waitFor("the form", "document.getElementById('f') !== null");
            page.eval("""
                    (() => { const f = document.getElementById('f');
                      f.customer_email.value = 'purchasing@shfineyarns.example';
                      f.customer_name.value = 'Shanghai Fine Yarns';
                      f.question.value = 'When does order SO-24017 ship, and with which carrier?';
                      f.requestSubmit(); })()""");
            page.waitFor("the thank-you with a ticket number", "/number \\d+/.test(document.getElementById('done').textContent)");
            page.screenshot(SHOTS.resolve("desk-contact.png"));
            assertThat(page.text("location.pathname")).isEqualTo("/contact");

            login(page, server.httpUrl());
            page.waitFor("the question in the inbox",
                    "[...document.querySelectorAll('#tickets li')].some(l => l.textContent.includes('Shanghai Fine Yarns'))");
            page.eval("[...document.querySelectorAll('#tickets li')].find(l => l.textContent.includes('Shanghai Fine Yarns')).click()");
            page.waitFor("the draft", "document.getElementById('d-body').value.length > 20");
            page.waitFor("its sources", "document.querySelectorAll('#sources li').length >= 1");
            final String draft = page.text("document.getElementById('d-body').value");
            assertThat(draft).contains("SO-24017").contains("[1]");
            assertThat(page.text("document.getElementById('t-question').textContent")).contains("SO-24017");
            assertThat(page.text("document.getElementById('t-customer').textContent"))
                    .isEqualTo("Shanghai Fine Yarns · purchasing@shfineyarns.example");
            assertThat(page.text("document.getElementById('t-when').textContent")).contains(" · web · en")
                    .doesNotContain("undefined").doesNotContain("Invalid");
            page.screenshot(SHOTS.resolve("desk-agent.png"));
        }
    }

    private static void login(final Chromium.Page page, final String base) throws Exception {
        page.navigate(base + "login");
        page.waitFor("the login form", "document.getElementById('username') !== null");
        page.eval("document.getElementById('username').value = 'ada'");
        page.eval("document.getElementById('password').value = '" + PW + "'");
        page.eval("document.getElementById('login').requestSubmit()");
        page.waitFor("the desk", "location.pathname === '/desk'");
        page.waitFor("the user shown", "document.getElementById('who-name') !== null");
    }
}
