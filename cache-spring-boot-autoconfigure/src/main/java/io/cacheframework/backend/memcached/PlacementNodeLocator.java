package io.cacheframework.backend.memcached;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Predicate;

import net.spy.memcached.MemcachedNode;
import net.spy.memcached.MemcachedNodeROImpl;
import net.spy.memcached.NodeLocator;
import org.jspecify.annotations.Nullable;

/**
 * A spymemcached {@link NodeLocator} over a {@link KeyPlacement}, so spymemcached sends each key to the server
 * Django's client uses. Plug it in with a connection factory whose {@code createLocator(nodes)} returns
 * {@code new PlacementNodeLocator(placement, nodes)}; spymemcached creates the nodes in the order of the address
 * list, which must be the placement's {@code location} order.
 *
 * <p>{@link #getSequence} is the key's {@link KeyPlacement#preference}: spymemcached's
 * {@code FailureMode.Redistribute} sends an operation whose primary is inactive to the first active node in it,
 * which is the placement's own choice for rendezvous and unweighted Ketama, and for modula leaves the primary (the
 * sequence is empty), as libmemcached does. {@link #nodeFor} answers exactly for any live set.
 */
final class PlacementNodeLocator implements NodeLocator {

	private final KeyPlacement placement;

	private volatile MemcachedNode[] nodes;

	/**
	 * @param placement the placement
	 * @param nodes spymemcached's nodes, in the placement's server order
	 */
	PlacementNodeLocator(KeyPlacement placement, List<MemcachedNode> nodes) {
		this.placement = placement;
		this.nodes = checked(placement, nodes);
	}

	private static MemcachedNode[] checked(KeyPlacement placement, List<MemcachedNode> nodes) {
		if (nodes.size() != placement.serverCount()) {
			throw new IllegalArgumentException(
					"The placement has " + placement.serverCount() + " servers, spymemcached " + nodes.size());
		}
		return nodes.toArray(new MemcachedNode[0]);
	}

	/**
	 * The node of a server, without the copy {@link #getAll()} makes.
	 * @param server the server's index in the placement's order
	 * @return its node
	 */
	MemcachedNode node(int server) {
		return this.nodes[server];
	}

	@Override
	public MemcachedNode getPrimary(String key) {
		return this.nodes[this.placement.serverFor(key)];
	}

	/** The servers after the primary, in the order the key moves to them as servers are ejected. */
	@Override
	public Iterator<MemcachedNode> getSequence(String key) {
		MemcachedNode[] current = this.nodes;
		int[] preference = this.placement.preference(key);
		return new Iterator<>() {

			private int next = 1;

			@Override
			public boolean hasNext() {
				return this.next < preference.length;
			}

			@Override
			public MemcachedNode next() {
				if (!hasNext()) {
					throw new NoSuchElementException();
				}
				return current[preference[this.next++]];
			}

		};
	}

	/**
	 * The node the matching Python client sends a key to once the nodes that are not live are ejected.
	 * @param key the made key
	 * @param live whether a node is live, e.g. {@link MemcachedNode#isActive()}
	 * @return the node, or {@code null} if the key has no live node
	 */
	@Nullable MemcachedNode nodeFor(String key, Predicate<MemcachedNode> live) {
		MemcachedNode[] current = this.nodes;
		int index = this.placement.serverFor(key, (i) -> live.test(current[i]));
		return (index < 0) ? null : current[index];
	}

	@Override
	public Collection<MemcachedNode> getAll() {
		return List.of(this.nodes);
	}

	@Override
	public NodeLocator getReadonlyCopy() {
		List<MemcachedNode> copies = new ArrayList<>();
		for (MemcachedNode node : this.nodes) {
			copies.add(new MemcachedNodeROImpl(node));
		}
		return new PlacementNodeLocator(this.placement, copies);
	}

	/** Takes new node objects for the same servers, in the same order (the placement stays as it is). */
	@Override
	public void updateLocator(List<MemcachedNode> nodes) {
		this.nodes = checked(this.placement, nodes);
	}

	@Override
	public String toString() {
		return "PlacementNodeLocator" + Arrays.toString(this.nodes);
	}

}
