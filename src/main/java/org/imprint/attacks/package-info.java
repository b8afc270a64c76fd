/**
 * Attacks that read training data out of a trained network's weights: the KKT reconstruction attack
 * ({@link org.imprint.attacks.reconstruction}) and the provable attacks on 2-layer nets.
 */
package org.imprint.attacks;
