/** How long the inventory's lists may be; the byte and value caps of the file are in load.ts. */
/**
 * The longest each list of the inventory may be (README.md, Inventory size; config/example.yaml
 * states each beside its key). A list over its cap is refused as a whole before its entries are
 * validated, so a huge list costs one message, not one per entry.
 */
export const LIST_CAPS = {
  /** The supported fleet: what the stack's sharding and the scale bench are sized for. */
  appliances: 10_000,
  /** Windows listed at once; expired ones can be deleted. */
  maintenance: 1_000,
  /** Pinned SSH host keys per appliance: room for a rotation of several key types. */
  hostKeys: 8,
  /** Pinned certificate fingerprints, fleet-wide or per appliance: room for a rotation. */
  pins: 16,
  /** Subnets, their zones and route tables: the most endpoint zones (`endpointAzs`). */
  vpcSubnets: 16,
  /** Each kind of paging-topic subscription (every one is a stack resource). */
  subscriptions: 50,
  /** Each kind of fallback subscription. */
  fallback: 10,
} as const;
