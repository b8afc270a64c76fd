/**
 * The provable privacy attacks on trained 2-layer ReLU networks of Smorodinsky, Vardi &amp; Safran, "Provable
 * Privacy Attacks on Trained Shallow Neural Networks" (arXiv:2410.07632).
 *
 * <ul>
 *   <li>{@link org.imprint.attacks.provable.UnivariateReconstruction}: the 1-D reconstruction attack — breakpoints,
 *       linear pieces, on/off-margin pieces, Algorithm 1's candidate set (≥ ¼ training points at an exact KKT
 *       point; block version reconstructed, see the class) and the practical variant; scored by
 *       {@link org.imprint.attacks.provable.ReconstructionScore}.</li>
 *   <li>{@link org.imprint.attacks.provable.UnivariateTraining}: long 1-D training into the KKT regime.</li>
 *   <li>{@link org.imprint.attacks.provable.MembershipInference}: the label-free test |f(x)| ≥ c·m with the margin
 *       from a {@link org.imprint.attacks.provable.Margin} (given, one leaked member, bounds, estimated, oracle),
 *       against the loss-threshold and y·f baselines.</li>
 *   <li>{@link org.imprint.attacks.provable.HighDimensionalProtocol}: the authors' high-dimensional experiment
 *       (sphere / balanced Gaussian mixture, width 10 000, init ×1e-3, 100 steps of full-batch SGD).</li>
 * </ul>
 */
package org.imprint.attacks.provable;
