/**
 * @assay/cli: the `assay` command, and the pieces it is made of for programs that embed it.
 * @module
 */
export { applyPassThrough, audit, parseClassSize, selectDetectors, type AuditOptions, type CommandIo } from "./audit.js";
export { checkConfigShape, configExtensions, configureNodes, loadConfig, type AssayConfig, type ConfiguredNodes, type NodeOptionsMap } from "./config.js";
export { datalabSection, gapSection, LABEL_ISSUES_PACKAGE, REPRESENTATION_PACKAGE } from "./report-sections.js";
export { describeNode, describePlugins, renderPluginList, typeOf, type NodeInfo, type OptionInfo, type PluginInfo } from "./describe.js";
export { discoverPlugins, entryOf, notPlugins, pluginOf, type DiscoveredPlugin, type DiscoverOptions, type DiscoveryResult } from "./discover.js";
export { exitCodes, formatError, isAssayErrorLike } from "./errors.js";
export {
  applyManifestCorrections,
  fix,
  loadInsights,
  registerFix,
  type CorrectionLine,
  type FixOptions,
  type ManifestCorrectionsOptions,
  type ManifestCorrectionsResult,
} from "./fix.js";
export { starterConfigJson, starterConfigModule } from "./init.js";
export { loadInputs, type DatasetInputs, type LoadedInputs } from "./inputs.js";
export { buildRegistry, cliDirectory, type BuildRegistryOptions, type LoadedPlugins } from "./plugins.js";
export { cliVersion, createProgram } from "./program.js";
export { reportThumbnails, type ThumbnailOptions } from "./thumbnails.js";
export { createProgress, formatSeconds, progressMode, type ProgressDisplay, type ProgressMode, type ProgressOptions, type ProgressStream } from "./progress.js";
