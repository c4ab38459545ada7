// `bench doctor --show-slo`: what the same template id means in the Python InferenceBench, so that
// nobody reads its envelopes' `llm.standard` as ours (docs/envelope.md, "SLO templates").
import {
  INFERENCEBENCH_HARDWARE_CLASSES,
  INFERENCEBENCH_SLO_TEMPLATES,
  inferenceBenchResolvedText,
  inferenceBenchThresholds,
} from '../../../harness/metrics/slo-inferencebench.js';

function theirMultipliers(): string {
  return Object.entries(INFERENCEBENCH_HARDWARE_CLASSES)
    .map(([id, m]) => `${id} ×${m}`)
    .join(', ');
}

/** Notes for a template of ours: how InferenceBench's template of the same id differs, or that it has none. */
export function interopSloNotes(templateId: string): string[] {
  const theirs = inferenceBenchThresholds(templateId, 'h100');
  if (theirs === null)
    return [`InferenceBench has no ${templateId} template: envelopes of theirs never use this id`];
  return [
    `InferenceBench's ${templateId} is not ours: per request, strict <, ${inferenceBenchResolvedText(theirs)} at h100, ` +
      `× its own class multipliers (${theirMultipliers()})`,
    `its envelopes are read by its own meaning; bench diff / compare give no compliance or goodput verdict across the two`,
  ];
}

/** For an id only InferenceBench defines (llm.relaxed): one line saying so, else null. */
export function theirsOnlyTemplateNote(templateId: string): string | null {
  if (!(templateId in INFERENCEBENCH_SLO_TEMPLATES)) return null;
  const limits = inferenceBenchThresholds(templateId, 'h100') ?? [];
  return `${templateId} is InferenceBench's template (per request, strict <, ${inferenceBenchResolvedText(limits)} at h100); we have no template of that name`;
}
