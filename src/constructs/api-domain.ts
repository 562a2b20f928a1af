import { AcmCertificate } from '@cdktn/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktn/provider-aws/lib/acm-certificate-validation';
import { ApiGatewayBasePathMapping } from '@cdktn/provider-aws/lib/api-gateway-base-path-mapping';
import { ApiGatewayDomainName } from '@cdktn/provider-aws/lib/api-gateway-domain-name';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { TerraformIterator } from 'cdktn';
import { Construct } from 'constructs';

export interface ApiDomainProps {
  provider: AwsProvider;
  zoneId: string;
  /** The failover name clients use, e.g. payments.example.com (same in both regions). */
  publicName: string;
  /** This region's own name, e.g. payments-use1.example.com (health checks and drills use it). */
  regionalName: string;
  restApiId: string;
  stageName: string;
}

/**
 * Custom domain of one region's API: an ACM certificate for the public and the regional name validated by
 * DNS in the hosted zone, both names as regional API Gateway domains with the TLS 1.2 policy and a base path
 * mapping, and an alias record for the regional name. The failover records of the public name are created
 * by the DNS failover construct.
 */
export class ApiDomain extends Construct {
  readonly publicDomain: ApiGatewayDomainName;
  readonly regionalDomain: ApiGatewayDomainName;

  constructor(scope: Construct, id: string, p: ApiDomainProps) {
    super(scope, id);
    const provider = p.provider;
    const cert = new AcmCertificate(this, 'certificate', {
      provider,
      domainName: p.publicName,
      subjectAlternativeNames: [p.regionalName],
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      lifecycle: { createBeforeDestroy: true },
    });
    const options = TerraformIterator.fromComplexList(cert.domainValidationOptions, 'domain_name');
    // Both regions' certificates carry the public name, whose validation record is the same: either stack
    // may (re)write it.
    const validationRecords = new Route53Record(this, 'validation', {
      provider,
      forEach: options,
      zoneId: p.zoneId,
      name: options.getString('resource_record_name'),
      type: options.getString('resource_record_type'),
      records: [options.getString('resource_record_value')],
      ttl: 300,
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, 'certificate-validation', {
      provider,
      certificateArn: cert.arn,
      dependsOn: [validationRecords],
    });

    const domain = (id2: string, name: string) => {
      const d = new ApiGatewayDomainName(this, id2, {
        provider,
        domainName: name,
        regionalCertificateArn: validation.certificateArn,
        endpointConfiguration: { types: ['REGIONAL'] },
        securityPolicy: 'TLS_1_2',
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
