/**
 * Where the functions run: the customer's VPC imported without lookups (or a new isolated VPC to
 * try it out), security groups whose egress reaches only the appliances and the AWS endpoints, and
 * the endpoints themselves so no NAT is needed.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpoint,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Inventory } from '../../shared/inventory';
import {
  applianceEgressRules,
  createsEndpoints,
  ENDPOINT_RULES,
  endpointAzCount,
  groupEgressRules,
  type InterfaceEndpointName,
  interfaceEndpointsFor,
  OWN_VPC_AZS,
} from '../deploy-plan';
import { retentionDays } from './log-retention';

export { interfaceEndpointsFor };

/** Network settings come from the inventory's `deploy` section (already merged with context). */
export interface NetworkProps {
  /** The validated inventory. */
  readonly inventory: Inventory;
}

/**
 * The interface endpoints the functions call: SNS (pages) and Secrets Manager (SSH credentials).
 * Metrics leave as Embedded Metric Format log lines and logs are shipped by Lambda itself, outside
 * the functions' network interfaces: neither needs an endpoint. DynamoDB has a (free) gateway one.
 */
export const INTERFACE_ENDPOINTS: Record<InterfaceEndpointName, InterfaceVpcEndpointAwsService> = {
  Sns: InterfaceVpcEndpointAwsService.SNS,
  SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
};

/** VPC, subnets, the functions' security groups and (optionally) the VPC endpoints. */
export class Network extends Construct {
  readonly vpc: IVpc;
  /** The private subnets the functions use. */
  readonly subnets: SubnetSelection;
  /** The subnets the interface endpoints are placed in (`deploy.endpointAzs` of the functions' subnets). */
  readonly endpointSubnets: SubnetSelection;
  /** The functions' security groups; egress rules are spread over them to stay under the per-group quota. */
  readonly securityGroups: SecurityGroup[];
  /** The endpoints' security group, when the stack creates endpoints. */
  readonly endpointSecurityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const inv = props.inventory;
    const imported = inv.deploy?.vpc;

    if (imported !== undefined) {
      // fromVpcAttributes needs no AWS call at synth (fromLookup would need credentials).
      this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: imported.vpcId,
        availabilityZones: imported.availabilityZones,
        privateSubnetIds: imported.subnetIds,
        privateSubnetRouteTableIds: imported.routeTableIds,
      });
      this.subnets = { subnets: this.vpc.privateSubnets };
    } else {
      const vpc = new Vpc(this, 'Vpc', {
        maxAzs: OWN_VPC_AZS,
        natGateways: 0,
        subnetConfiguration: [{ name: 'monitor', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
        // Restricting the default group needs a custom-resource Lambda; nothing here uses that group.
        restrictDefaultSecurityGroup: false,
      });
      // Rejected flows show a blocked egress (a missing appliance address) without paying for every accepted flow.
      const flowLogGroup = new LogGroup(this, 'FlowLogGroup', {
        retention: retentionDays(inv),
        removalPolicy: RemovalPolicy.DESTROY,
      });
      vpc.addFlowLog('RejectedFlows', {
        destination: FlowLogDestination.toCloudWatchLogs(flowLogGroup),
        trafficType: FlowLogTrafficType.REJECT,
      });
      this.vpc = vpc;
      this.subnets = { subnetType: SubnetType.PRIVATE_ISOLATED };
    }

    const functionSubnets = imported !== undefined ? this.vpc.privateSubnets : this.vpc.isolatedSubnets;
    this.endpointSubnets = { subnets: functionSubnets.slice(0, endpointAzCount(inv)) };
    const endpoints = createsEndpoints(inv);
    const groups = groupEgressRules(applianceEgressRules(inv), ENDPOINT_RULES);
    this.securityGroups = groups.map((rules, i) => {
      const sg = new SecurityGroup(this, `FunctionSecurityGroup${i}`, {
        vpc: this.vpc,
        description: `cpq-monitor functions: egress to the appliances (group ${i + 1} of ${groups.length})`,
        allowAllOutbound: false,
      });
      for (const r of rules) {
        sg.addEgressRule(r.ipv6 ? Peer.ipv6(r.cidr) : Peer.ipv4(r.cidr), Port.tcp(r.port), r.description);
      }
      return sg;
    });
    const first = this.securityGroups[0]!;

    if (endpoints) {
      const endpointSg = new SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'cpq-monitor VPC endpoints: HTTPS from the functions only',
        allowAllOutbound: false,
      });
      endpointSg.addIngressRule(first, Port.tcp(443), 'HTTPS from the cpq-monitor functions');
      first.addEgressRule(endpointSg, Port.tcp(443), 'HTTPS to the VPC interface endpoints');
      // The gateway endpoint routes to DynamoDB's public addresses: the region's prefix list names them.
      first.addEgressRule(
        Peer.prefixList(inv.deploy!.dynamoDbPrefixListId!),
        Port.tcp(443),
        'HTTPS to DynamoDB through the gateway endpoint',
      );
      for (const name of interfaceEndpointsFor(inv)) {
        new InterfaceVpcEndpoint(this, `${name}Endpoint`, {
          vpc: this.vpc,
          service: INTERFACE_ENDPOINTS[name],
          // One zone's endpoint serves the functions in every zone; it is billed per zone.
          subnets: this.endpointSubnets,
          securityGroups: [endpointSg],
          // `open` would allow the whole VPC CIDR, which an imported VPC does not carry; the functions suffice.
          open: false,
          privateDnsEnabled: true,
        });
      }
      new GatewayVpcEndpoint(this, 'DynamoDbEndpoint', {
        vpc: this.vpc,
        service: GatewayVpcEndpointAwsService.DYNAMODB,
        subnets: [this.subnets],
      });
      this.endpointSecurityGroup = endpointSg;
    } else {
      // No endpoints here: the AWS APIs are reached through the VPC's NAT or its existing endpoints.
      first.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to the AWS APIs (NAT or existing endpoints)');
    }
  }
}
