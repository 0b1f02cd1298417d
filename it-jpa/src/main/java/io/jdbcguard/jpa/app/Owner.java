package io.jdbcguard.jpa.app;

import jakarta.persistence.CascadeType;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OneToMany;
import jakarta.persistence.Table;
import java.util.ArrayList;
import java.util.List;

/**
 * An owner, no {@code @Version}; its pets eagerly, through a unidirectional one-to-many. The telephone is
 * indexed (not unique), as lock-without-index asked for the pessimistic lookup by it; the last name is not.
 */
@Entity
@Table(name = "owners", indexes = @jakarta.persistence.Index(name = "ix_owners_telephone", columnList = "telephone"))
public class Owner {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private String firstName;
    private String lastName;
    private String address;
    private String city;
    private String telephone;
    private int visits;

    @OneToMany(cascade = CascadeType.ALL, fetch = FetchType.EAGER)
    @JoinColumn(name = "owner_id")
    private List<Pet> pets = new ArrayList<>();

    protected Owner() {
    }

    public Owner(String firstName, String lastName, String telephone) {
        this.firstName = firstName;
        this.lastName = lastName;
        this.telephone = telephone;
        this.city = "Madison";
        this.address = "110 W. Liberty St.";
    }

    public Long getId() {
        return id;
    }

    public String getTelephone() {
        return telephone;
    }

    public String getCity() {
        return city;
    }

    public void setCity(String city) {
        this.city = city;
    }

    public int getVisits() {
        return visits;
    }

    public void setVisits(int visits) {
        this.visits = visits;
    }

    public List<Pet> getPets() {
        return pets;
    }
}
