/**
 * Multi-chip system presets: a published board of published chips. What the sources give is
 * used (the number of chips per board, the chip's own figures); the chips' arrangement on the
 * board and every inter-chip link figure that no source gives are stated as such: the grid is
 * an assumption named in `topologyNote`, the link constants are "unpublished" (n/a in reports).
 */
import type { Target } from "../../types.js";
import { systemTarget, type LinkSpec } from "../../system.js";
import { loihi } from "../loihi.js";
import { spinnaker2 } from "../spinnaker2.js";
import { unpublished } from "../constant.js";

const FRADY = "Frady et al., Neuromorphic nearest-neighbor search using Intel's Pohoiki Springs, NICE 2020 (arXiv:2004.12691)";
const DAVIES = "Davies et al., Loihi: a neuromorphic manycore processor with on-chip learning, IEEE Micro 38(1):82-99, 2018";
const DAVIES21 = "Davies et al., Advancing neuromorphic computing with Loihi: a survey of results and outlook, Proc. IEEE 109(5):911-934, 2021";
const GONZALEZ = "Gonzalez et al., SpiNNaker2: a large-scale neuromorphic system for event-based and asynchronous machine learning, arXiv:2401.04491, 2024";
const MAYR = "Mayr, Hoeppner, Furber, SpiNNaker 2: a 10 million core processor system for brain simulation and machine learning, arXiv:1911.02385, 2019";

/** A link none of whose figures is published: every constant unpublished, with the reason. */
function unpublishedLink(what: string, sources: string): LinkSpec {
  return {
    energy: unpublished("pJ", `energy per spike packet on a ${what}; ${sources} give none`),
    latency: unpublished("ns", `latency of a ${what}; ${sources} give none`),
    bandwidth: unpublished("packet/s", `packets per second of a ${what}; ${sources} give none`),
  };
}

/** Intel's Nahuku board: 32 Loihi chips joined through Loihi's mesh interfaces. */
export function nahuku32(): Target {
  return systemTarget(loihi(), {
    name: "nahuku32",
    description: "Intel Nahuku: 32 Loihi chips on one board (4096 cores, 131,072 compartments), the mesh extended chip to chip",
    references: { frady2020: FRADY, davies2021: DAVIES21 },
    chips: { width: 8, height: 4 },
    chipLink: unpublishedLink("Loihi chip-to-chip link (the parallel mesh interface of each chip side)", `${DAVIES}, ${DAVIES21} and ${FRADY}`),
    topologyNote: `${FRADY} gives 32 Loihi chips per Nahuku board (24 boards in Pohoiki Springs) and ${DAVIES} chips that tile the mesh through east, west, north and south interfaces; the chips' arrangement on the board is not published: 8 x 4 is assumed`,
  });
}

/** A SpiNNaker2 board of 48 chips. */
export function spinnaker2Board48(): Target {
  return systemTarget(spinnaker2(), {
    name: "spinnaker2-48",
    description: "SpiNNaker2 48-chip board: 48 chips of 152 ARM PEs (7296 PEs), chip-to-chip packet links",
    references: { gonzalez2024: GONZALEZ, mayr2019: MAYR },
    chips: { width: 8, height: 6 },
    chipLink: unpublishedLink("SpiNNaker2 chip-to-chip link", `${GONZALEZ} and ${MAYR}`),
    topologyNote: `${GONZALEZ} describes the 48-chip board; the chips' link topology is approximated by an 8 x 6 grid routed X then Y (links to diagonal neighbours, if the board has them, are not used)`,
  });
}
