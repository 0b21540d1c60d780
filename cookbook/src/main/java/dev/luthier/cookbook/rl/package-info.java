/**
 * Reinforcement learning on the SDK: environments ({@link dev.luthier.cookbook.rl.Env},
 * {@link dev.luthier.cookbook.rl.EnvGroupBuilder}, {@link dev.luthier.cookbook.rl.RlDataset}), the single-turn
 * {@link dev.luthier.cookbook.rl.ProblemEnv} for problems with checkable answers, trajectories and their datums,
 * group-relative advantages, the KL penalty, and the training loop {@link dev.luthier.cookbook.rl.RlTrainer}
 * (losses {@code importance_sampling}, {@code ppo}, {@code cispo} and {@code dro}, {@code numSubsteps} optimizer steps
 * per batch, sync or async sampling, resume from the log directory's {@code checkpoints.jsonl}).
 *
 * <pre>{@code
 * List<Problem> train = ArithmeticProblems.addition(200, 9, 1);
 * Renderer renderer = Renderers.create("role_colon", tokenizer);
 * RlDataset data = new ProblemDataset(train, renderer, AnswerChecker.bareNumber(), 1);
 * RlConfig config = RlConfig.defaults("stories", Path.of("runs/rl"))
 *         .withRank(8).withLearningRate(1e-3).withGroups(8, 8).withMaxTokens(4).withSteps(30);
 * try (ServiceClient service = new ServiceClient(baseUrl, apiKey)) {
 *     RlResult result = new RlTrainer(service, config, data).run();
 *     double lastReward = result.finalMetrics().get(RlMetrics.REWARD_MEAN);
 *     SamplingClient tuned = service.createSamplingClient(result.samplerPath());
 * }
 * }</pre>
 */
package dev.luthier.cookbook.rl;
