// Probes (docs/vivaldi.md): PING = [t_sent]; PONG = [t_sent echoed, coordinate, a peer id for
// gossip, load, spare]. A PONG's round trip feeds Vivaldi and the RTT routing prefers.
import { halNow, halRandom } from "../hal/hal";
import { HEADER_BYTES, T_PING, T_PONG, R_BAD_PAYLOAD, S_PINGS_RX, S_PONGS_RX, S_BAD_PAYLOAD, S_PROBES_SENT } from "../protocol/table";
import { hSeq, hLength } from "./header";
import { count } from "./stats";
import { peerId, peerTouch, peerSetLoad } from "./peers";
import { routeTop } from "./routing";
import { offerPeer, nextProbeTarget, coordWrite, gossipPick } from "./vivaldi-node";
import { coordsOnPong } from "./coords";
import { TX_PAYLOAD, PAYLOAD_CAP, writer, reader } from "./frame-buffers";
import { sendTx } from "./frame-out";
import { selfLoad, selfSpare, isOtherNode } from "./self-node";

export function onPing(ptr: usize, src: u32): i32 {
  count(S_PINGS_RX);
  reader.reset(ptr + HEADER_BYTES, <i32>hLength(ptr));
  const n = reader.readArrayHeader();
  const tSent = reader.readF64();
  if (reader.error != 0 || n < 1) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  offerPeer(src);
  writer.reset(TX_PAYLOAD, PAYLOAD_CAP);
  writer.arrayHeader(5);
  writer.f64(tSent);
  coordWrite(writer);
  writer.uint(<u64>gossipPick(halRandom(), src));
  // Pheromones ride on probe answers too: the prober learns this node's load and spare capacity.
  writer.f64(selfLoad);
  writer.f64(selfSpare);
  sendTx(T_PONG, src, 0, hSeq(ptr), writer.length);
  return 0;
}

export function onPong(ptr: usize, src: u32, now: f64): i32 {
  count(S_PONGS_RX);
  reader.reset(ptr + HEADER_BYTES, <i32>hLength(ptr));
  const n = reader.readArrayHeader();
  const tSent = reader.readF64();
  if (reader.error != 0 || (n != 3 && n != 5)) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  const rtt = now - tSent;
  const p = peerTouch(src, now);
  if (!coordsOnPong(src, rtt, reader, p)) {
    count(S_BAD_PAYLOAD);
    return -R_BAD_PAYLOAD;
  }
  const gossip = reader.readU32();
  if (reader.error == 0 && isOtherNode(gossip)) offerPeer(gossip);
  if (n == 5) {
    const l = reader.readF64();
    const s = reader.readF64();
    if (reader.error == 0 && l >= 0 && l <= 1 && s >= 0 && s <= 1) peerSetLoad(p, l, s);
  }
  return 0;
}

/** The probe of this interval: to whom Vivaldi's neighbour policy picks, if anyone. */
export function sendProbe(now: f64): void {
  const target = nextProbeTarget(halRandom());
  if (target != 0) pingPeer(target, now);
}

export function pingPeer(target: u32, now: f64): void {
  writer.reset(TX_PAYLOAD, PAYLOAD_CAP);
  writer.arrayHeader(1);
  writer.f64(now);
  count(S_PROBES_SENT);
  sendTx(T_PING, target, 0, 0, writer.length);
}

const CONFIRM_MAX: i32 = 3;
const confirmList = new StaticArray<i32>(CONFIRM_MAX);

/** Probes the nearest few replicas of `species` now; returns how many. */
export function confirmReplicas(species: u32): i32 {
  const now = halNow();
  const n = routeTop(species, now, CONFIRM_MAX, confirmList);
  for (let i = 0; i < n; i++) pingPeer(peerId(unchecked(confirmList[i])), now);
  return n;
}
