package io.jdbcguard.jpa.app;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import java.time.LocalDate;

/** A pet; its owner key is written by the owner's one-to-many, its type read eagerly. */
@Entity
@Table(name = "pets")
public class Pet {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private String name;
    private LocalDate birthDate;

    @ManyToOne(fetch = FetchType.EAGER)
    private PetType type;

    protected Pet() {
    }

    public Pet(String name, PetType type) {
        this.name = name;
        this.type = type;
        this.birthDate = LocalDate.of(2020, 1, 1);
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }
}
