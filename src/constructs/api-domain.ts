import { ApiGatewayBasePathMapping } from '@cdktn/provider-aws/lib/api-gateway-base-path-mapping';
import { ApiGatewayDomainName } from '@cdktn/provider-aws/lib/api-gateway-domain-name';
import { DataAwsAcmCertificate } from '@cdktn/provider-aws/lib/data-aws-acm-certificate';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { Construct } from 'constructs';

/**
 * The TLS policy of both custom domains: TLS 1.3 and TLS 1.2, and with TLS 1.2 only ECDHE key exchange with AES-GCM
 * (forward secrecy, no CBC suites), with hybrid post-quantum key exchange. The legacy TLS_1_2 policy also accepts
 * CBC suites (ECDHE-*-AES*-SHA256/384, AES*-SHA256) and static RSA key exchange. "Supported security policies" lists
 * this policy for regional (and private) APIs and custom domain names
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies-list.html); the
 * TLS 1.3-only policies are stricter still but would refuse every TLS 1.2 client of a payment API. An enhanced
 * (SecurityPolicy_*) policy needs an endpoint access mode; STRICT also refuses requests whose SNI host is not the
 * domain and requests from another endpoint type
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html). The provider
 * (hashicorp/aws 6.66.0) takes both: aws_api_gateway_domain_name security_policy and endpoint_access_mode.
 */
export const API_DOMAIN_SECURITY_POLICY = 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09';

export interface ApiDomainProps {
  provider: AwsProvider;
  zoneId: string;
  /** The failover name clients use, e.g. payments.example.com (same in both regions). */
  publicName: string;
  /** This region's own name, e.g. payments-use1.example.com (health checks and drills use it). */
  regionalName: string;
  restApiId: string;
  stageName: string;
  /**
   * Tags the certificate of this region carries (the global stack's default tags for this region): with the name,
   * they pick exactly this environment's certificate.
   */
  certificateTags: Record<string, string>;
}

/**
 * Custom domain of one region's API: both names (the public failover name and the region's own) as regional API
 * Gateway domains with a TLS 1.2+ policy without CBC suites (API_DOMAIN_SECURITY_POLICY) and a base path mapping, and an alias record for the regional name. The
 * certificate and its DNS validation belong to the global stack (src/constructs/api-certificates.ts: one owner for
 * the validation record both regions share); this stack finds its region's issued certificate by name and tags, an
 * ACM read in its own region. The failover records of the public name are created by the DNS failover construct.
 */
export class ApiDomain extends Construct {
  readonly publicDomain: ApiGatewayDomainName;
  readonly regionalDomain: ApiGatewayDomainName;

  constructor(scope: Construct, id: string, p: ApiDomainProps) {
    super(scope, id);
    const provider = p.provider;
    const certificate = new DataAwsAcmCertificate(this, 'certificate', {
      provider,
      domain: p.publicName,
      statuses: ['ISSUED'],
      types: ['AMAZON_ISSUED'],
      tags: p.certificateTags,
      // A replacement (create-before-destroy) briefly leaves two: the newer one is the one to serve.
      mostRecent: true,
    });

    const domain = (id2: string, name: string) => {
      const d = new ApiGatewayDomainName(this, id2, {
        provider,
        domainName: name,
        regionalCertificateArn: certificate.arn,
        endpointConfiguration: { types: ['REGIONAL'] },
        securityPolicy: API_DOMAIN_SECURITY_POLICY,
        endpointAccessMode: 'STRICT',
      });
      new ApiGatewayBasePathMapping(this, `${id2}-mapping`, {
        provider,
        apiId: p.restApiId,
        stageName: p.stageName,
        domainName: d.domainName,
      });
      return d;
    };
    this.publicDomain = domain('public-domain', p.publicName);
    this.regionalDomain = domain('regional-domain', p.regionalName);

    new Route53Record(this, 'regional-alias', {
      provider,
      zoneId: p.zoneId,
      name: p.regionalName,
      type: 'A',
      alias: {
        name: this.regionalDomain.regionalDomainName,
        zoneId: this.regionalDomain.regionalZoneId,
        evaluateTargetHealth: false,
      },
    });
  }
}
