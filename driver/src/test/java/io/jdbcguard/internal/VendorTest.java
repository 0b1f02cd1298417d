package io.jdbcguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VendorTest {

    @Test
    void theViolatedKeyIsReadFromMariaDbsAndMySqlsMessages() {
        assertThat(Vendor.duplicateKeyName("Duplicate entry 'k' for key 'ux_nh_u'")).isEqualTo("ux_nh_u");
        assertThat(Vendor.duplicateKeyName("Duplicate entry 'a-1' for key 'users.ux_email'")).isEqualTo("ux_email");
        assertThat(Vendor.duplicateKeyName("Duplicate entry '5' for key 'PRIMARY'")).isEqualTo("PRIMARY");
        assertThat(Vendor.duplicateKeyName("Lock wait timeout exceeded")).isNull();
        assertThat(Vendor.duplicateKeyName(null)).isNull();
    }

    @Test
    void aMariaDbServerIsNamedMariaDbWhateverTheDriverCallsIt() {
        assertThat(Vendor.product("MySQL", "11.4.5-MariaDB")).isEqualTo("MariaDB 11.4.5");
        assertThat(Vendor.product("MySQL", "5.5.5-10.11.6-MariaDB-log")).isEqualTo("MariaDB 10.11.6");
        assertThat(Vendor.product("MariaDB", "11.4.5-MariaDB-ubu2404")).isEqualTo("MariaDB 11.4.5");
        assertThat(Vendor.product("MySQL", "8.4.3")).isEqualTo("MySQL 8.4.3");
    }
}
