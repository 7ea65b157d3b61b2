/** What the provider's schema says about one resource type's replacements. */
export interface ReplacementEntry {
  /** Top-level input properties whose change replaces the resource. */
  replace: string[];
  /** Nested property paths (`volumes.efsVolumeConfiguration.fileSystemId`) whose change replaces. */
  nested: string[];
  /** Where the entry was read from (file in the provider's source). */
  source: string;
  /** A replacement the provider decides in code, by condition, rather than per property. */
  conditional?: string;
}
