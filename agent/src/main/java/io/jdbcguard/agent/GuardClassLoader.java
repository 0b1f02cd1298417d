package io.jdbcguard.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;

/**
 * Defines the guard's classes (carried in the agent jar under {@code guard-classes/}) in a loader whose
 * parent is the application's, child-first for {@code io.jdbcguard.*}: the guard then sees the
 * application's SLF4J and logging configuration, wherever its jar lives (a Spring Boot fat jar too).
 */
final class GuardClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private static final String PREFIX = "guard-classes/";
    private final String version;

    GuardClassLoader(ClassLoader parent) {
        super("jdbc-guard-agent", parent);
        Package p = GuardClassLoader.class.getPackage();
        this.version = p == null ? null : p.getImplementationVersion();
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith("io.jdbcguard.") || name.startsWith("io.jdbcguard.agent.")) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                c = findClass(name);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        String path = PREFIX + name.replace('.', '/') + ".class";
        try (InputStream in = GuardClassLoader.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            int dot = name.lastIndexOf('.');
            String pkg = name.substring(0, dot);
            if (getDefinedPackage(pkg) == null) {
                definePackage(pkg, null, null, null, "jdbc-guard", version, null, null);
            }
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }

    @Override
    protected URL findResource(String name) {
        return GuardClassLoader.class.getClassLoader().getResource(PREFIX + name);
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        return GuardClassLoader.class.getClassLoader().getResources(PREFIX + name);
    }
}
