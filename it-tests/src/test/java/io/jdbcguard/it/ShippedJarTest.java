package io.jdbcguard.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jdbcguard.GuardDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** Issue 11: the jar people ship, opened as built. */
class ShippedJarTest {

    static final Path TARGET = Path.of("..", "driver", "target").toAbsolutePath().normalize();

    private static Path jar(String classifier) throws Exception {
        try (var files = Files.list(TARGET)) {
            return files.filter(p -> p.getFileName().toString().matches("jdbc-guard-\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?" + classifier + "\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no jdbc-guard*" + classifier + ".jar in " + TARGET));
        }
    }

    @Test
    void theJarCarriesItsLicenceManifestAndNothingElsesCode() throws Exception {
        try (JarFile jar = new JarFile(jar("").toFile())) {
            assertThat(jar.getEntry("META-INF/LICENSE")).isNotNull();
            assertThat(new String(jar.getInputStream(jar.getEntry("META-INF/LICENSE")).readAllBytes()))
                    .contains("Apache License").contains("Version 2.0");
            assertThat(jar.getEntry("META-INF/NOTICE")).isNotNull();
            assertThat(jar.getEntry("META-INF/services/java.sql.Driver")).isNotNull();
            Manifest m = jar.getManifest();
            assertThat(m.getMainAttributes().getValue("Automatic-Module-Name")).isEqualTo("io.jdbcguard");
            assertThat(m.getMainAttributes().getValue("Implementation-Version")).matches("\\d+\\.\\d+\\.\\d+.*");
            List<String> classes = Collections.list(jar.entries()).stream().map(ZipEntry::getName)
                    .filter(n -> n.endsWith(".class")).collect(Collectors.toList());
            assertThat(classes).isNotEmpty().allSatisfy(n -> assertThat(n).startsWith("io/jdbcguard/"));
            for (String n : classes) { // no stale class of a parser that is no longer there
                String bytes = new String(jar.getInputStream(jar.getEntry(n)).readAllBytes(),
                        java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(bytes).as(n).doesNotContain("net/sf/jsqlparser");
            }
            assertThat(Collections.list(jar.entries()).stream().map(ZipEntry::getName))
                    .as("no licence of another project, nothing shaded").noneMatch(n -> n.contains("shaded")
                            || n.startsWith("META-INF/licenses/") || n.startsWith("META-INF/maven/com."));
        }
        assertThat(jar("-sources")).exists();
        assertThat(jar("-javadoc")).exists();
    }

    @Test
    void theDriverKnowsItsVersionWhenLoadedFromTheJar() throws Exception {
        String where = GuardDriver.class.getProtectionDomain().getCodeSource().getLocation().toString();
        if (where.endsWith(".jar")) { // the reactor's verify runs the tests against the packaged jar
            assertThat(GuardDriver.class.getPackage().getImplementationVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
        } else {
            assertThat(where).endsWith("classes/");
        }
    }
}
