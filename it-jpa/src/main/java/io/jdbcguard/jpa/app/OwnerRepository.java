package io.jdbcguard.jpa.app;

import jakarta.persistence.LockModeType;
import java.util.Optional;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

public interface OwnerRepository extends JpaRepository<Owner, Long> {

    Optional<Owner> findByTelephone(String telephone);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select o from Owner o where o.telephone = ?1")
    Optional<Owner> findLockedByTelephone(String telephone);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select o from Owner o where o.id = ?1")
    Optional<Owner> findLockedById(Long id);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select o from Owner o where o.lastName = ?1")
    java.util.List<Owner> findLockedByLastName(String lastName);

    @Query(value = "select count(*) from pets p where p.owner_id = ?1 and p.name = ?2", nativeQuery = true)
    long countPets(Long ownerId, String name);
}
