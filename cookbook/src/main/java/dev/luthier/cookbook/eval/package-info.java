/**
 * Evaluation of a sampler on problems: n samples per problem with the unbiased pass@k estimator
 * ({@link dev.luthier.cookbook.eval.PassAtK}), greedy accuracy, and per-problem results
 * ({@link dev.luthier.cookbook.eval.ProblemEvaluator}).
 *
 * <pre>{@code
 * ProblemEvaluator evaluator = new ProblemEvaluator(renderer, AnswerChecker.bareNumber());
 * EvalConfig config = new EvalConfig(8, List.of(1, 4, 8), 16, 1.0, true, 0);
 * EvalReport before = evaluator.evaluate(service.createSamplingClient("stories"), test, config);
 * EvalReport after = evaluator.evaluate(service.createSamplingClient(result.samplerPath()), test, config);
 * System.out.println(before.greedyAccuracy() + " -> " + after.greedyAccuracy() + ", pass@8 " + after.passAtK().get(8));
 * }</pre>
 */
package dev.luthier.cookbook.eval;
