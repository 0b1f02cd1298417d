package io.jdbcguard.jpa.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A small Spring Boot 4 application in the shape of the PetClinic: owners, pets, pet types, accounts. */
@SpringBootApplication
public class ClinicApp {
}
