// The virtual clock moved to test/support/ (the detection and scenario tests use it too); drctl's tests still
// import it from here.
export { holdDuring, VirtualClock } from '../../support/virtual-clock';
