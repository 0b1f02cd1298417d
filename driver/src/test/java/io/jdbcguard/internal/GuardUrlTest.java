package io.jdbcguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GuardUrlTest {

    @Test
    void acceptsOnlyGuardUrls() {
        assertThat(GuardUrl.accepts("jdbc:guard:mysql://h/db")).isTrue();
        assertThat(GuardUrl.accepts("JDBC:GUARD:mysql://h/db")).isTrue();
        assertThat(GuardUrl.accepts("jdbc:mysql://h/db")).isFalse();
        assertThat(GuardUrl.accepts("jdbc:guardian:x")).isFalse();
        assertThat(GuardUrl.accepts(null)).isFalse();
    }

    @Test
    void guardParametersAreRemovedFromTheRealUrlWhereverTheyStand() {
        GuardUrl u = GuardUrl.parse(
                "jdbc:guard:mysql://db:3306/shop?guard.mode=strict&useSSL=false&guard.app-packages=com.acme%2Corg.x&a=b");
        assertThat(u.realUrl()).isEqualTo("jdbc:mysql://db:3306/shop?useSSL=false&a=b");
        assertThat(u.guardParams()).isEqualTo(Map.of("guard.mode", "strict", "guard.app-packages", "com.acme,org.x"));

        assertThat(GuardUrl.parse("jdbc:guard:mysql://db/shop?guard.mode=off").realUrl())
                .isEqualTo("jdbc:mysql://db/shop");
        assertThat(GuardUrl.parse("jdbc:guard:mysql://db/shop").realUrl()).isEqualTo("jdbc:mysql://db/shop");
        assertThat(GuardUrl.parse("jdbc:guard:mysql://db/shop?x=1").guardParams()).isEmpty();
    }

    @Test
    void masksPasswordsAndCredentials() {
        assertThat(GuardUrl.mask("jdbc:mysql://db/shop?user=app&password=s3cret&useSSL=false"))
                .isEqualTo("jdbc:mysql://db/shop?user=app&password=***&useSSL=false");
        assertThat(GuardUrl.mask("jdbc:mysql://app:s3cret@db:3306/shop")).isEqualTo("jdbc:mysql://app:***@db:3306/shop");
        assertThat(GuardUrl.mask("jdbc:mysql://(host=db,password=s3cret)/shop")).doesNotContain("s3cret");
        assertThat(GuardUrl.mask("jdbc:mysql://db/shop?PASSWORD1=a&password2=b&trustCertificateKeyStorePassword=c"))
                .doesNotContain("=a").doesNotContain("=b").doesNotContain("=c");
    }

    @Test
    void masksEverySyntaxOfIssue9() {
        // Issue 9, item 4: a password with , ; ) leaked after its first comma; Oracle's user/password@ whole.
        String[] urls = {
            "jdbc:mysql://db/shop?user=app&password=Ab,Cd;Ef)Gh9&useSSL=false",
            "jdbc:mysql://db/shop?password=Ab,Cd;Ef)Gh9",
            "jdbc:mysql://app:Ab,Cd;Ef)Gh9@db:3306/shop?useSSL=false",
            "jdbc:mysql://app:p@ss:w@rd@db:3306/shop",
            "jdbc:oracle:thin:scott/tiger_pw_42@db:1521:orcl",
            "jdbc:oracle:thin:scott/tiger_pw_42@//db:1521/orcl",
            "jdbc:mysql://(host=db,port=3306,password=tiger_pw_42)/shop",
            "jdbc:mysql://address=(host=db)(password=tiger_pw_42)/shop",
            "jdbc:sqlserver://db;user=app;password=tiger_pw_42;databaseName=shop",
            "jdbc:mysql://db/shop?password%3D=x&pass%77ord=tiger_pw_42",
            "jdbc:mysql://db/shop?clientCertificateKeyStorePassword=tiger_pw_42&x=1",
        };
        for (String u : urls) {
            String m = GuardUrl.mask(u);
            assertThat(m).as(u).doesNotContain("tiger_pw_42").doesNotContain("Cd;Ef").doesNotContain("Gh9")
                    .doesNotContain("w@rd").contains("***");
        }
        assertThat(GuardUrl.mask("jdbc:mysql://db/shop?user=app&password=Ab,Cd;Ef)Gh9&useSSL=false"))
                .isEqualTo("jdbc:mysql://db/shop?user=app&password=***&useSSL=false");
        assertThat(GuardUrl.mask("jdbc:oracle:thin:scott/tiger_pw_42@db:1521:orcl"))
                .isEqualTo("jdbc:oracle:thin:scott/***@db:1521:orcl");
        assertThat(GuardUrl.mask("jdbc:mysql://db:3306/shop?useSSL=false&user=app"))
                .as("nothing secret, nothing changed").isEqualTo("jdbc:mysql://db:3306/shop?useSSL=false&user=app");
    }

    @Test
    void aGuardKeyTwiceWithDifferentValuesOrEncodedIsAProblem() {
        assertThat(GuardUrl.parse("jdbc:guard:mysql://db/s?guard.mode=strict&guard.mode=off").problems())
                .singleElement().asString().contains("guard.mode").contains("strict").contains("off");
        assertThat(GuardUrl.parse("jdbc:guard:mysql://db/s?guard.mode=strict&guard.mode=strict").problems()).isEmpty();
        GuardUrl encoded = GuardUrl.parse("jdbc:guard:mysql://db/s?guard%2Emode=strict&useSSL=false");
        assertThat(encoded.problems()).singleElement().asString().contains("guard%2Emode");
        assertThat(encoded.realUrl()).as("never reaches the real driver").isEqualTo("jdbc:mysql://db/s?useSSL=false");
    }
}
