package io.cacheframework.backend.filesystem;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalLong;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Whether a configured location may hold a cache, and creating it safely: an absolute path; created with mode 0700,
 * missing parents too, whatever the umask (Django's CVE-2020-24584); refused if it is a symbolic link, not a
 * directory, group- or world-writable, or owned by another user, since whoever can write the directory can plant
 * entries. A directory that merely cannot be created or written yet is not refused (see {@link SharedDirectory}).
 */
final class DirectorySafety {

	private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");

	private DirectorySafety() {
	}

	/**
	 * Check a configured location and create the directory if needed (mode 0700, missing parents too). A directory
	 * that cannot be created or written is not an error here (the backend starts and serves misses, see
	 * {@link SharedDirectory#probe()}); an unsafe one is.
	 * @param location the configured location
	 * @return the directory's real path, or for a directory that could not be created the real path of its nearest
	 * existing parent followed by the missing names
	 * @throws IllegalArgumentException if the location is not an absolute path, the directory or a parent is not a
	 * directory, or the directory is unsafe
	 */
	static Path prepare(String location) {
		if (location.isBlank()) {
			throw new IllegalArgumentException(
					"the file-system cache needs an absolute directory as its location, e.g. /var/cache/myapp");
		}
		Path dir;
		try {
			dir = Path.of(location);
		}
		catch (InvalidPathException ex) {
			throw new IllegalArgumentException("'" + location + "' is not a valid path: " + ex.getMessage(), ex);
		}
		if (!dir.isAbsolute()) {
			throw new IllegalArgumentException("'" + location
					+ "' is a relative path; the file-system cache needs an absolute directory (a relative one"
					+ " would depend on the working directory)");
		}
		dir = dir.normalize();
		boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
		Path existing = dir;
		while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
			existing = existing.getParent();
		}
		if (existing != null && !existing.equals(dir) && !Files.isDirectory(existing)) {
			throw new IllegalArgumentException("Cannot create cache directory " + dir + ": " + existing
					+ " is not a directory");
		}
		try {
			createMissing(dir, posix);
		}
		catch (IOException ex) {
			// A read-only or unwritable parent: start anyway, the directory is probed again on use.
			return canonical(existing, dir);
		}
		checkSafe(dir, posix);
		try {
			return dir.toRealPath();
		}
		catch (IOException ex) {
			return canonical(existing, dir);
		}
	}

	/**
	 * The real path of {@code existing} (a parent of {@code dir}, or {@code dir} itself) followed by the rest of
	 * {@code dir}: the same key for every spelling of a directory that does not exist yet.
	 */
	private static Path canonical(@Nullable Path existing, Path dir) {
		if (existing == null) {
			return dir;
		}
		try {
			return existing.toRealPath().resolve(existing.relativize(dir));
		}
		catch (IOException ex) {
			return dir;
		}
	}

	static void createMissing(Path dir, boolean posix) throws IOException {
		Deque<Path> missing = new ArrayDeque<>();
		for (Path p = dir; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
			missing.push(p);
		}
		for (Path p : missing) {
			try {
				if (posix) {
					Files.createDirectory(p, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
					// mkdir applies the umask; set the mode explicitly (Django's CVE-2020-24584 was about this).
					Files.setPosixFilePermissions(p, OWNER_ONLY_DIR);
				}
				else {
					Files.createDirectory(p);
				}
			}
			catch (FileAlreadyExistsException ex) {
				// Created concurrently by another process; it is checked below like any existing directory.
			}
		}
	}

	static void checkSafe(Path dir, boolean posix) {
		try {
			BasicFileAttributes basic = Files.readAttributes(dir, BasicFileAttributes.class,
					LinkOption.NOFOLLOW_LINKS);
			if (basic.isSymbolicLink()) {
				throw unsafe(dir, "it is a symbolic link; configure the real directory instead (a link can be"
						+ " re-pointed by whoever can write its parent)");
			}
			if (!basic.isDirectory()) {
				throw unsafe(dir, "it is not a directory");
			}
			if (!posix) {
				return;
			}
			PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class,
					LinkOption.NOFOLLOW_LINKS);
			Set<PosixFilePermission> permissions = attributes.permissions();
			String mode = PosixFilePermissions.toString(permissions);
			if (permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
				throw unsafe(dir, "it is world-writable (" + mode + "), so any user could plant or alter cache"
						+ " entries; use a directory only this user can write (chmod 700)");
			}
			if (permissions.contains(PosixFilePermission.GROUP_WRITE)) {
				throw unsafe(dir, "it is group-writable (" + mode + "), so other users could plant or alter cache"
						+ " entries; use a directory only this user can write (chmod 700)");
			}
			OptionalLong uid = currentUid();
			if (uid.isPresent()) {
				Object owner = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
				if (owner instanceof Integer ownerUid && ownerUid != uid.getAsLong()) {
					throw unsafe(dir, "it is owned by " + attributes.owner().getName() + " (uid " + ownerUid
							+ "), not by the user running this application (uid " + uid.getAsLong() + ")");
				}
			}
			else if (!attributes.owner().getName().equals(System.getProperty("user.name"))) {
				throw unsafe(dir, "it is owned by " + attributes.owner().getName()
						+ ", not by the user running this application (" + System.getProperty("user.name") + ")");
			}
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Cannot check cache directory " + dir + ": " + ex, ex);
		}
	}

	private static IllegalArgumentException unsafe(Path dir, String why) {
		return new IllegalArgumentException("Refusing unsafe cache directory " + dir + ": " + why);
	}

	private static OptionalLong currentUid() {
		try {
			return OptionalLong.of(new com.sun.security.auth.module.UnixSystem().getUid());
		}
		catch (LinkageError | RuntimeException ex) {
			// Not a Unix JVM, or a runtime image without jdk.security.auth: compare user names instead.
			return OptionalLong.empty();
		}
	}

}
