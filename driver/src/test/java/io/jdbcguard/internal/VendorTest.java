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
}
