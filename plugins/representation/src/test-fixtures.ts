/** Shared test fixtures (not exported by the package). */

/** The seed tutorial's ontology S (ontology-representation spec §7). */
export const SEED = {
  subject: {
    vehicle: { wheeled: ["automobile", "truck"], airborne: ["airplane"], waterborne: ["ship"] },
    animal: { mammal: ["cat", "dog", "deer", "horse"], avian: ["bird"], amphibian: ["frog"] },
  },
};
