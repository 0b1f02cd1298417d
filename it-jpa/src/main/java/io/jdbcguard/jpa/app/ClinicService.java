package io.jdbcguard.jpa.app;

import java.util.Optional;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The application's flows, unsafe and safe, as services are written. */
@Service
public class ClinicService {

    private final OwnerRepository owners;
    private final PetTypeRepository types;
    private final AccountRepository accounts;

    public ClinicService(OwnerRepository owners, PetTypeRepository types, AccountRepository accounts) {
        this.owners = owners;
        this.types = types;
        this.accounts = accounts;
    }

    /** Unsafe: get-or-create by a natural key without a unique constraint. */
    @Transactional
    public Owner ownerFor(String telephone) {
        Optional<Owner> found = owners.findByTelephone(telephone);
        return found.orElseGet(() -> owners.save(new Owner("George", "Franklin", telephone)));
    }

    /**
     * No duplicates: the same, with the finder taking a PESSIMISTIC_WRITE lock; but at REPEATABLE READ
     * concurrent callers for one new telephone deadlock at the insert (gap-lock-insert).
     */
    @Transactional
    public Owner ownerForLocked(String telephone) {
        return owners.findLockedByTelephone(telephone)
                .orElseGet(() -> owners.save(new Owner("Betty", "Davis", telephone)));
    }

    /**
     * Serialized, but by locking the whole table: a family moves, its owners locked by last name, which no
     * index serves, so InnoDB locks every owner it scans (lock-without-index).
     */
    @Transactional
    public int moveFamily(String lastName, String city) {
        java.util.List<Owner> family = owners.findLockedByLastName(lastName);
        family.forEach(o -> o.setCity(city));
        return family.size();
    }

    /**
     * Unsafe, petclinic's "add pet": the owner is loaded with its pets (eagerly), the duplicate-name check is
     * Java code over them, and the new pet is added to the collection. Two concurrent adds of one name both
     * pass the check. {@code afterCheck} lets a test hold every caller between check and add.
     */
    @Transactional
    public boolean addPetNamed(Long ownerId, String name, Runnable afterCheck) {
        Owner o = owners.findById(ownerId).orElseThrow();
        boolean taken = o.getPets().stream().anyMatch(p -> p.getName().equals(name));
        afterCheck.run();
        if (taken) {
            return false;
        }
        o.getPets().add(new Pet(name, types.findAll().get(0)));
        return true;
    }

    /** The same, serialized: the owner is read with PESSIMISTIC_WRITE (FOR UPDATE), so the check sees every pet. */
    @Transactional
    public boolean addPetNamedLocked(Long ownerId, String name) {
        Owner o = owners.findLockedById(ownerId).orElseThrow();
        if (o.getPets().stream().anyMatch(p -> p.getName().equals(name))) {
            return false;
        }
        o.getPets().add(new Pet(name, types.findAll().get(0)));
        return true;
    }

    /** Unsafe, petclinic's "edit owner" with the read and the write in one transaction; a test may hold it. */
    @Transactional
    public void editOwner(Long ownerId, String city, Runnable afterRead) {
        Owner o = owners.findById(ownerId).orElseThrow();
        afterRead.run();
        o.setCity(city);
        o.setVisits(o.getVisits() + 1);
    }

    /** Safe: the same edit of an entity with {@code @Version}; a test may hold it between read and write. */
    @Transactional
    public void depositHeld(Long accountId, long amount, Runnable afterRead) {
        Account a = accounts.findById(accountId).orElseThrow();
        afterRead.run();
        a.setBalance(a.getBalance() + amount);
    }

    /** Unsafe: edit without {@code @Version} (read, change, write back every column). */
    @Transactional
    public void visit(Long ownerId) {
        Owner o = owners.findById(ownerId).orElseThrow();
        o.setVisits(o.getVisits() + 1);
    }

    /** Unsafe: add a child after an existence check in SQL; the pet's owner key is set by a second statement. */
    @Transactional
    public void addPet(Long ownerId, String name) {
        if (owners.countPets(ownerId, name) == 0) {
            Owner o = owners.findById(ownerId).orElseThrow();
            o.getPets().add(new Pet(name, types.findAll().get(0)));
        }
    }

    /**
     * Unsafe: petclinic's pet edit. The pet is read as one of its owner's pets (the owner's eager collection)
     * and written back by its own id, without {@code @Version}.
     */
    @Transactional
    public void renamePet(Long ownerId, String from, String to) {
        Owner o = owners.findById(ownerId).orElseThrow();
        o.getPets().stream().filter(p -> p.getName().equals(from)).findFirst().orElseThrow().setName(to);
    }

    /** Unsafe: write back an owner read in an earlier transaction (Spring Data's save: JPA merge). */
    @Transactional
    public Owner save(Owner owner) {
        return owners.save(owner);
    }

    /** Safe: an entity with {@code @Version}. */
    @Transactional
    public void deposit(Long accountId, long amount) {
        Account a = accounts.findById(accountId).orElseThrow();
        a.setBalance(a.getBalance() + amount);
    }

    /** Safe: unique constraint, save first, catch the duplicate. */
    public Account accountFor(String email) {
        try {
            return accounts.saveAndFlush(new Account(email));
        } catch (DataIntegrityViolationException alreadyThere) {
            return accounts.findByEmail(email).orElseThrow();
        }
    }

    /** Safe and ordinary: a new entity saved without a check, a read. */
    @Transactional
    public PetType newType(String name) {
        return types.save(new PetType(name));
    }

    @Transactional(readOnly = true)
    public Owner find(Long id) {
        return owners.findById(id).orElseThrow();
    }

    @Transactional(readOnly = true)
    public long countOwnersWith(String telephone) {
        return owners.findAll().stream().filter(o -> telephone.equals(o.getTelephone())).count();
    }
}
