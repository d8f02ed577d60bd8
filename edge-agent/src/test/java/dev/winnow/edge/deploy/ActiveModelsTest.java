package dev.winnow.edge.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ActiveModelsTest {

    @TempDir
    Path store;

    private void folder(final String nameVersion) throws IOException {
        Files.createDirectories(store.resolve(nameVersion));
    }

    @Test
    void aPromotionIsKeptAcrossRestartsAndARollbackReturnsToTheOneBefore() throws IOException {
        folder("cotton-colour/2");
        folder("cotton-colour/3");
        final ActiveModels a = ActiveModels.open(store);
        assertThat(a.live("colour-1")).isEmpty();
        a.promoted("colour-1", "cotton-colour", "2");
        a.promoted("colour-1", "cotton-colour", "3");
        assertThat(ActiveModels.open(store).live("colour-1")).contains(store.resolve("cotton-colour/3"));

        // a canary's rollback (it was never promoted) changes nothing
        a.rolledBack("colour-1", "cotton-colour@4");
        assertThat(ActiveModels.open(store).live("colour-1")).contains(store.resolve("cotton-colour/3"));
        a.rolledBack("colour-1", "cotton-colour@3");
        assertThat(ActiveModels.open(store).live("colour-1")).contains(store.resolve("cotton-colour/2"));
        a.rolledBack("colour-1", "cotton-colour@2");
        assertThat(ActiveModels.open(store).live("colour-1")).as("back to the configured model").isEmpty();
        assertThat(ActiveModels.open(store).live("uv-1")).isEmpty();
    }

    @Test
    void aPromotedFolderThatIsGoneIsNotOffered() throws IOException {
        final ActiveModels a = ActiveModels.open(store);
        a.promoted("colour-1", "cotton-colour", "9");
        assertThat(a.live("colour-1")).isEmpty();
    }

    @Test
    void aDamagedFileIsRefusedNamingItAndTheKey() throws IOException {
        Files.writeString(store.resolve(ActiveModels.FILE), "{\"colour-1\": {\"live\": \"../../etc\"}}");
        assertThatThrownBy(() -> ActiveModels.open(store)).isInstanceOf(IOException.class)
                .hasMessageContaining(ActiveModels.FILE).hasMessageContaining("colour-1.live");
        Files.writeString(store.resolve(ActiveModels.FILE), "{\"colour-1\": {}}");
        assertThatThrownBy(() -> ActiveModels.open(store)).hasMessageContaining("colour-1.live is missing");
        Files.writeString(store.resolve(ActiveModels.FILE), "[1,");
        assertThatThrownBy(() -> ActiveModels.open(store)).hasMessageContaining("is not JSON");
    }
}
