// The worker thread behind createModelChecker: checks uploads and measures generated models, one at a time.
import { checkGlb } from './glb-check';
import { serveModelChecks } from './model-checker';
import { modelStats } from './model-stats';

serveModelChecks(checkGlb, modelStats);
