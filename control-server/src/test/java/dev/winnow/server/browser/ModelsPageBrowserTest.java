package dev.winnow.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.winnow.server.WinnowServer;
import dev.winnow.server.config.ServerConfig;
import dev.winnow.server.room.Http;
import dev.winnow.server.room.ModelUploads;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The models page in headless Chromium: a model uploaded with a labelled set shows its validation checks and, when
 * the engineer opens "Its mistakes on the labelled set", the picture of its missed labels and false alarms, loaded
 * only then. Screenshot: {@code target/screenshots/models.png}.
 */
class ModelsPageBrowserTest {

    @TempDir
    Path tmp;

    @Test
    void anEngineerOpensTheMistakesOfAValidatedModel() throws Exception {
        assumeTrue(Chromium.installed(), "Chromium is not installed at " + Chromium.BINARY);
        try (WinnowServer server = WinnowServer.start(ServerConfig.ephemeral(tmp.resolve("data")));
             Chromium chromium = Chromium.launch(tmp.resolve("profile"), Path.of("target", "chromium", "models.log"))) {
            final Http http = new Http(server.httpUrl());
            final Http.Reply up = ModelUploads.upload(http,
                    Files.readAllBytes(ModelUploads.MODELS.resolve("yolo-tiny/model.onnx")),
                    Files.readAllBytes(ModelUploads.MODELS.resolve("yolo-tiny/model.json")), ModelUploads.labelledSet());
            assertThat(up.status()).as(up.body()).isEqualTo(202);
            final String id = up.json().get("id").asText();

            final Chromium.Page page = chromium.newPage(1400, 1000);
            page.navigate(server.httpUrl() + "models");
            final String row = "document.querySelector('tr[data-id=\"" + id + "\"]')";
            page.waitFor("the model validated", row + " && " + row + ".querySelector('.badge.valid')");
            assertThat(page.eval(row + ".textContent").asText()).contains("mAP50 0.500, mAP50-95 0.500 on 2 labelled images");
            // closed at first: the picture is not fetched until asked for
            assertThat(page.eval(row + ".querySelector('details.mistakes').open").asBoolean()).isFalse();
            assertThat(page.eval(row + ".querySelector('img.mistakes').getAttribute('src')").isNull()).isTrue();
            page.eval(row + ".querySelector('details.mistakes summary').click()");
            page.waitFor("the mistakes picture", row + ".querySelector('img.mistakes').complete && "
                    + row + ".querySelector('img.mistakes').naturalWidth > 0");
            assertThat(page.eval(row + ".querySelector('img.mistakes').naturalHeight").asInt())
                    .as("a band per class").isEqualTo(2 * (36 + 2 * (128 + 14 + 4)));
            page.screenshot(ControlRoomBrowserTest.SHOTS.resolve("models.png"));
        }
    }
}
