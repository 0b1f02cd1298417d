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
}
