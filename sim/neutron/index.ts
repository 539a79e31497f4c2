/** A stand-in for Neutron in which nothing exists: what Nova needs for servers without networks. */
export {
  startNeutronSim,
  type NeutronRequest,
  type NeutronSim,
  type NeutronSimOptions,
} from './neutron.ts';
